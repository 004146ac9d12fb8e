import csv, itertools, random
random.seed(15)
# intent -> language -> (openers, cores, closers)
OPEN_EN = ["", "Hello, ", "Hi, ", "Hi there, ", "Good morning, ", "Hello team, ", "Excuse me, ", "Sorry to bother you, "]
CLOSE_EN = ["", "", " Thanks.", " Thank you!", " Can you help?", " Please help.", " Thanks in advance.", " Regards."]
OPEN_FR = ["", "Bonjour, ", "Bonsoir, ", "Salut, ", "Bonjour madame, monsieur, ", "Excusez-moi, ", "Bonjour à vous, "]
CLOSE_FR = ["", "", " Merci.", " Merci d'avance !", " Pouvez-vous m'aider ?", " Cordialement.", " Merci de votre aide."]
THING_EN = ["order", "parcel", "package", "delivery", "shipment", "purchase"]
THING_FR = ["commande", "colis", "livraison", "paquet", "achat"]
T = {
 "order_status": {
  "en": ["where is my {t}?", "my {t} has not arrived yet", "when will my {t} arrive?", "I am still waiting for my {t}", "can you track my {t} number {n}?", "what is the status of my {t}?", "the tracking of my {t} has not moved for days", "my {t} {n} was supposed to be delivered yesterday", "has my {t} been shipped?", "I never received my {t}", "how long does delivery take for my {t}?", "the courier says my {t} was delivered but I have nothing"],
  "fr": ["où en est ma {t} ?", "je n'ai toujours pas reçu ma {t}", "quand vais-je recevoir ma {t} ?", "j'attends toujours ma {t} numéro {n}", "pouvez-vous suivre ma {t} {n} ?", "quel est le statut de ma {t} ?", "le suivi de ma {t} ne bouge plus depuis des jours", "ma {t} devait arriver hier", "ma {t} a-t-elle été expédiée ?", "je n'ai jamais reçu ma {t}", "combien de temps prend la livraison de ma {t} ?", "le transporteur dit que ma {t} est livrée mais je n'ai rien"]},
 "refund": {
  "en": ["I want a refund for my {t}", "how do I get my money back?", "when will I be refunded for {t} {n}?", "I returned the item but I have not been refunded", "please refund me", "I was promised a refund two weeks ago", "can I get a refund instead of a voucher?", "the refund has not reached my bank account", "refund my {t} please", "how long does a refund take?", "I would like to be reimbursed"],
  "fr": ["je veux être remboursé de ma {t}", "comment récupérer mon argent ?", "quand serai-je remboursé pour la {t} {n} ?", "j'ai renvoyé l'article mais je ne suis pas remboursé", "remboursez-moi s'il vous plaît", "on m'a promis un remboursement il y a deux semaines", "puis-je avoir un remboursement plutôt qu'un avoir ?", "le remboursement n'est pas arrivé sur mon compte bancaire", "je souhaite me faire rembourser", "combien de temps prend un remboursement ?", "je demande le remboursement de ma {t}"]},
 "cancel": {
  "en": ["I want to cancel my {t}", "how do I cancel my subscription?", "please cancel order {n}", "I would like to close my account", "can I still cancel my {t}?", "stop my subscription please", "I want to end my contract", "cancel my membership", "how can I unsubscribe from the monthly plan?", "I changed my mind, cancel the {t}"],
  "fr": ["je veux annuler ma {t}", "comment résilier mon abonnement ?", "merci d'annuler la commande {n}", "je voudrais fermer mon compte", "puis-je encore annuler ma {t} ?", "arrêtez mon abonnement s'il vous plaît", "je veux mettre fin à mon contrat", "je souhaite résilier", "comment me désabonner de la formule mensuelle ?", "j'ai changé d'avis, annulez la {t}"]},
 "billing": {
  "en": ["I was charged twice for {t} {n}", "there is a mistake on my invoice", "can you send me the invoice for my {t}?", "why was my card charged?", "my payment was declined", "I do not recognise this charge", "how can I change my payment method?", "the amount billed is wrong", "I need a copy of my bill", "my direct debit failed", "what is this fee on my statement?"],
  "fr": ["j'ai été débité deux fois pour la {t} {n}", "il y a une erreur sur ma facture", "pouvez-vous m'envoyer la facture de ma {t} ?", "pourquoi ma carte a-t-elle été débitée ?", "mon paiement a été refusé", "je ne reconnais pas ce prélèvement", "comment changer mon moyen de paiement ?", "le montant facturé est faux", "j'ai besoin d'une copie de ma facture", "mon prélèvement a échoué", "quels sont ces frais sur mon relevé ?"]},
 "account_access": {
  "en": ["I cannot log in to my account", "I forgot my password", "the password reset email never arrives", "my account is locked", "how do I change my email address?", "I did not receive the verification code", "I can't sign in", "my login does not work anymore", "someone else is using my account", "how do I reset my password?", "two-factor code is not accepted"],
  "fr": ["je n'arrive pas à me connecter à mon compte", "j'ai oublié mon mot de passe", "je ne reçois pas l'e-mail de réinitialisation", "mon compte est bloqué", "comment changer mon adresse e-mail ?", "je n'ai pas reçu le code de vérification", "impossible de me connecter", "mon identifiant ne fonctionne plus", "quelqu'un utilise mon compte", "comment réinitialiser mon mot de passe ?", "le code de double authentification est refusé"]},
 "technical_issue": {
  "en": ["the app keeps crashing", "the website shows an error when I pay", "the page does not load", "your app is not working on my phone", "I get error {n} when I open the app", "the device stopped working", "the product does not turn on", "the update broke everything", "the checkout button does nothing", "the connection keeps dropping", "it is very slow and freezes"],
  "fr": ["l'application plante sans arrêt", "le site affiche une erreur au paiement", "la page ne se charge pas", "votre application ne marche pas sur mon téléphone", "j'ai l'erreur {n} en ouvrant l'application", "l'appareil ne fonctionne plus", "le produit ne s'allume pas", "la mise à jour a tout cassé", "le bouton de paiement ne fait rien", "la connexion coupe tout le temps", "c'est très lent et ça se fige"]},
 "return_exchange": {
  "en": ["how do I return an item?", "I want to exchange for a different size", "the {t} arrived damaged, can I send it back?", "can I return it after 30 days?", "I received the wrong item", "where do I get a return label?", "the size is too small, I need a bigger one", "I would like to swap the colour", "the product is defective, I want to return it", "is the return free?"],
  "fr": ["comment retourner un article ?", "je veux échanger contre une autre taille", "ma {t} est arrivée abîmée, puis-je la renvoyer ?", "puis-je retourner l'article après 30 jours ?", "j'ai reçu le mauvais article", "où trouver l'étiquette de retour ?", "la taille est trop petite, il me faut plus grand", "je voudrais changer de couleur", "le produit est défectueux, je veux le retourner", "le retour est-il gratuit ?"]},
 "change_order": {
  "en": ["can I change the delivery address of my {t}?", "I need to add an item to order {n}", "can I modify my {t}?", "please change the shipping address", "I want to change the delivery date", "can I remove an item from my {t}?", "I made a mistake in my address", "can you deliver my {t} to another address?", "can I upgrade to express shipping?", "change the quantity on my {t} please"],
  "fr": ["puis-je changer l'adresse de livraison de ma {t} ?", "je dois ajouter un article à la commande {n}", "puis-je modifier ma {t} ?", "merci de changer l'adresse de livraison", "je veux changer la date de livraison", "puis-je retirer un article de ma {t} ?", "je me suis trompé dans mon adresse", "pouvez-vous livrer ma {t} à une autre adresse ?", "puis-je passer en livraison express ?", "changez la quantité de ma {t} s'il vous plaît"]},
 "product_info": {
  "en": ["is this product available in blue?", "how much does the premium plan cost?", "do you ship to Belgium?", "when will the item be back in stock?", "what is the warranty on this product?", "does it work with my model?", "what are the dimensions?", "do you have a student discount?", "which plan do you recommend for a small team?", "are your products made in Europe?"],
  "fr": ["ce produit existe-t-il en bleu ?", "combien coûte l'offre premium ?", "livrez-vous en Belgique ?", "quand l'article sera-t-il de nouveau en stock ?", "quelle est la garantie de ce produit ?", "est-ce compatible avec mon modèle ?", "quelles sont les dimensions ?", "avez-vous une réduction étudiante ?", "quelle offre conseillez-vous pour une petite équipe ?", "vos produits sont-ils fabriqués en Europe ?"]},
 "human_agent": {
  "en": ["I want to talk to a human", "can I speak to an agent?", "put me through to a real person", "is there someone I can call?", "I need to talk to an advisor", "give me a phone number to call", "I want a person, not a bot", "can someone call me back?", "connect me with customer service", "let me speak to a manager"],
  "fr": ["je veux parler à un humain", "puis-je parler à un conseiller ?", "passez-moi une vraie personne", "y a-t-il quelqu'un que je peux appeler ?", "j'ai besoin de parler à un conseiller", "donnez-moi un numéro de téléphone", "je veux une personne, pas un robot", "quelqu'un peut-il me rappeler ?", "mettez-moi en relation avec le service client", "je veux parler à un responsable"]},
 "oos": {
  "en": ["what is the weather tomorrow?", "tell me a joke", "who won the football match?", "what time is it in Tokyo?", "recommend a good movie", "how do I cook pasta?", "what is the capital of Australia?", "play some music", "how tall is the Eiffel tower?", "translate hello into Spanish", "what is two plus two?", "are you married?", "ok thanks", "thank you very much", "great, thanks", "alright", "ok", "hello", "goodbye", "have a nice day"],
  "fr": ["quel temps fera-t-il demain ?", "raconte-moi une blague", "qui a gagné le match de foot ?", "quelle heure est-il à Tokyo ?", "conseille-moi un bon film", "comment cuire des pâtes ?", "quelle est la capitale de l'Australie ?", "mets de la musique", "quelle est la hauteur de la tour Eiffel ?", "traduis bonjour en espagnol", "combien font deux plus deux ?", "es-tu marié ?", "ok merci", "merci beaucoup", "super merci", "d'accord", "ok", "bonjour", "au revoir", "bonne journée"]},
}
rows = []
for intent, by_lang in T.items():
    for lang, cores in by_lang.items():
        opens, closes, things = (OPEN_EN, CLOSE_EN, THING_EN) if lang == "en" else (OPEN_FR, CLOSE_FR, THING_FR)
        seen = set()
        combos = list(itertools.product(cores, opens, closes))
        random.shuffle(combos)
        for core, o, c in combos:
            if len(seen) >= (90 if intent == "oos" else 110):
                break
            t = random.choice(things); n = str(random.randint(10000, 99999))
            text = core.format(t=t, n=n)
            if o and lang == "en": text = o + text
            elif o: text = o + text
            else: text = text[0].upper() + text[1:]
            if c and text[-1] not in "?!.": text += "."
            text = text + c
            if intent == "oos": text = (o + core) if o else core[0].upper() + core[1:]
            if text in seen: continue
            seen.add(text); rows.append((text, intent, lang))
random.shuffle(rows)
with open("/work/wt/triage/omnicanal/assistant/baseline/intents.csv", "w", newline="", encoding="utf-8") as f:
    w = csv.writer(f); w.writerow(["text", "intent", "language"]); w.writerows(rows)
import collections; print(len(rows), collections.Counter(r[1] for r in rows))
