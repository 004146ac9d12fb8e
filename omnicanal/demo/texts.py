"""The French texts of the demo: what customers write and agents answer, case by case.

Templates are `str.format` strings; `data.py` fills them from one context per conversation
(order number, carrier, amount…), so a thread keeps talking about the same order. A case holds
every message a thread about it may need, so that an answer always answers its question. Bodies are
written without greeting or signature: `data.py` wraps them the way each channel reads
(an e-mail has "Bonjour," and a signature, an SMS does not). Agents' texts avoid gendered
agreements ("désolé·e") because any agent may send any of them.
"""

from __future__ import annotations

from dataclasses import dataclass

SERVICE_CLIENT = "Service client"
FACTURATION = "Facturation"


@dataclass(frozen=True)
class Case:
    """One thing a customer writes about, and every message a thread about it may hold."""

    subject: str
    # The customer's first message (variants).
    openings: tuple[str, ...]
    # The agent asks for what is missing; the conversation then waits for the customer.
    question: str
    # The customer's answer to the question.
    details: str
    # The agent settles the matter straight away.
    answer: str
    # The agent waits for someone else (carrier, accounting): the conversation is snoozed.
    wait: str
    # The agent settles the matter once the details are in.
    closing: str
    # Internal notes, seen by agents only.
    notes: tuple[str, ...]


@dataclass(frozen=True)
class Topic:
    key: str
    # The team that handles it.
    team: str
    cases: tuple[Case, ...]


TOPICS: tuple[Topic, ...] = (
    Topic(
        key="commande",
        team=SERVICE_CLIENT,
        cases=(
            Case(
                subject="Suivi de ma commande {commande}",
                openings=(
                    "J'ai passé la commande {commande} le {date_commande} et je n'ai toujours "
                    "reçu aucun e-mail d'expédition. Pouvez-vous me dire où elle en est ?",
                    "Ma commande {commande} est indiquée « en préparation » depuis {jours} jours. "
                    "Est-ce normal ?",
                ),
                question="Pour retrouver votre commande, pourriez-vous me confirmer le nom et "
                "l'adresse e-mail utilisés lors de l'achat ?",
                details="La commande est au nom de {prenom} {nom}, avec l'adresse {email}.",
                answer="Votre commande {commande} a été préparée ce matin et sera remise à "
                "{transporteur} dans la journée. Vous recevrez le numéro de suivi par e-mail.",
                wait="Un article de votre commande est en cours de réapprovisionnement. J'ai "
                "demandé une date d'expédition à l'entrepôt et je reviens vers vous dès que je "
                "l'ai.",
                closing="Merci. Votre commande {commande} est partie ce matin avec "
                "{transporteur}, numéro de suivi {suivi}.",
                notes=(
                    "Commande bloquée en préparation : rupture sur un article, réassort prévu "
                    "jeudi.",
                    "Deuxième relance pour cette commande, à traiter en priorité.",
                ),
            ),
            Case(
                subject="Changement d'adresse de livraison",
                openings=(
                    "Est-il encore possible de modifier l'adresse de livraison de ma commande "
                    "{commande} ? Je ne serai pas chez moi la semaine prochaine.",
                ),
                question="La commande n'est pas encore expédiée, je peux donc la modifier. "
                "Pouvez-vous me donner la nouvelle adresse complète, avec le code postal ?",
                details="La nouvelle adresse est : {adresse}.",
                answer="La commande n'est pas encore partie : vous pouvez modifier l'adresse "
                "vous-même dans votre espace client, rubrique « Mes commandes », jusqu'à "
                "l'expédition.",
                wait="La commande était déjà en préparation. J'ai demandé à l'entrepôt de "
                "changer l'étiquette et je vous confirme dès que c'est fait.",
                closing="C'est fait : la commande {commande} sera livrée au {adresse}.",
                notes=("Adresse modifiée dans l'ERP avant la remise au transporteur.",),
            ),
            Case(
                subject="Modifier ma commande {commande}",
                openings=(
                    "J'ai commandé un {produit} le {date_commande} (commande {commande}) mais "
                    "j'ai choisi la mauvaise couleur. Puis-je encore la changer ?",
                ),
                question="Pouvez-vous me préciser la couleur que vous souhaitez ?",
                details="Je voudrais le même modèle, mais en noir.",
                answer="Votre commande n'est pas encore préparée : je l'ai annulée sans frais, "
                "vous pouvez en passer une nouvelle dès maintenant.",
                wait="J'ai demandé à l'entrepôt s'il est encore possible d'intervenir sur la "
                "préparation. Je reviens vers vous dès leur réponse.",
                closing="C'est modifié : vous recevrez le modèle noir, sans changement de prix "
                "ni de délai.",
                notes=("Modification faite à la main dans l'ERP, prévenir la logistique.",),
            ),
        ),
    ),
    Topic(
        key="livraison",
        team=SERVICE_CLIENT,
        cases=(
            Case(
                subject="Colis non reçu",
                openings=(
                    "Le suivi {transporteur} indique que mon colis a été livré hier, mais je "
                    "n'ai rien reçu. Commande {commande}.",
                    "Mon colis est en point relais mais le commerçant ne le trouve pas. "
                    "Commande {commande}.",
                ),
                question="Pouvez-vous vérifier que le colis n'a pas été déposé chez un voisin "
                "ou dans votre boîte aux lettres ? Sinon, nous ouvrirons une enquête auprès de "
                "{transporteur}.",
                details="J'ai demandé à mes voisins et à la loge, personne n'a le colis.",
                answer="Toutes nos excuses pour ce désagrément. Nous vous renvoyons votre "
                "commande dès aujourd'hui, en livraison express offerte ; l'enquête auprès de "
                "{transporteur} est de notre ressort.",
                wait="J'ai ouvert une enquête auprès de {transporteur} pour le colis {suivi}. "
                "Ils ont 48 heures ouvrées pour nous répondre ; je reviens vers vous dès que "
                "j'ai leur retour.",
                closing="Merci pour ces vérifications. Nous vous renvoyons votre commande dès "
                "aujourd'hui, en livraison express offerte.",
                notes=(
                    "Enquête transporteur ouverte, réf. {enquete}.",
                    "Troisième colis perdu ce mois-ci sur cette tournée, à signaler au "
                    "responsable transport.",
                ),
            ),
            Case(
                subject="Retard de livraison",
                openings=(
                    "Ma livraison était prévue le {date_livraison} et je n'ai toujours rien. Le "
                    "suivi n'a pas bougé depuis trois jours.",
                ),
                question="Pouvez-vous me donner le numéro de commande, pour que je retrouve "
                "votre colis ?",
                details="Il s'agit de la commande {commande}.",
                answer="Toutes nos excuses pour ce retard. D'après {transporteur}, le colis "
                "{suivi} a été retenu au centre de tri et vous sera livré sous 48 heures.",
                wait="J'ai relancé {transporteur} au sujet du colis {suivi}, retenu au centre "
                "de tri. Je reviens vers vous dès qu'il est de nouveau en route.",
                closing="Merci. Le colis {suivi} est reparti du centre de tri ce matin ; "
                "{transporteur} prévoit la livraison demain.",
                notes=("Retards en série chez {transporteur} cette semaine (grève au centre de "
                       "tri).",),
            ),
            Case(
                subject="Colis endommagé",
                openings=(
                    "Le carton est arrivé abîmé et le {produit} a l'air endommagé. Que dois-je "
                    "faire ?",
                ),
                question="Nous sommes navrés. Pourriez-vous nous envoyer une photo du colis, "
                "de l'étiquette et de l'article endommagé ? Cela nous permettra d'ouvrir le "
                "dossier auprès du transporteur.",
                details="Voici les photos du carton et de l'appareil : le coin est complètement "
                "enfoncé.",
                answer="Nous sommes navrés que votre {produit} soit arrivé endommagé. Un produit "
                "de remplacement part aujourd'hui, sans frais ; vous n'avez rien à renvoyer.",
                wait="Votre dossier est transmis à notre service litiges, qui valide le "
                "remplacement sous 48 heures. Je reviens vers vous dès sa réponse.",
                closing="Merci pour les photos. Un {produit} de remplacement part aujourd'hui ; "
                "vous n'avez rien à renvoyer.",
                notes=("Photos reçues, geste commercial validé avec la superviseure.",),
            ),
            Case(
                subject="Nouvelle livraison",
                openings=(
                    "Le livreur a laissé un avis de passage alors que j'étais chez moi. Peut-on "
                    "reprogrammer la livraison ?",
                ),
                question="Quel jour et quel créneau vous conviendraient pour une nouvelle "
                "livraison ?",
                details="Samedi matin m'irait très bien.",
                answer="Toutes nos excuses. La nouvelle livraison est programmée demain entre "
                "8 h et 13 h ; {transporteur} vous enverra un SMS le matin même.",
                wait="J'ai demandé à {transporteur} de reprogrammer la livraison. Je vous "
                "confirme le créneau dès qu'ils me l'ont communiqué.",
                closing="C'est noté : la nouvelle livraison est programmée samedi matin. Vous "
                "recevrez un SMS de {transporteur} la veille.",
                notes=("Livreur signalé : avis de passage sans tentative de livraison.",),
            ),
        ),
    ),
    Topic(
        key="facture",
        team=FACTURATION,
        cases=(
            Case(
                subject="Demande de facture",
                openings=(
                    "Pourriez-vous m'envoyer la facture de ma commande {commande} ? Je ne la "
                    "trouve pas dans mon espace client.",
                ),
                question="Souhaitez-vous la facture à votre nom ou au nom d'une société ?",
                details="À mon nom, s'il vous plaît.",
                answer="Vous trouverez la facture {facture} de votre commande {commande} en "
                "pièce jointe. Elle est aussi disponible dans votre espace client, rubrique "
                "« Mes commandes ».",
                wait="La facture de cette commande n'a pas été générée correctement. J'ai "
                "demandé au service comptable de la rééditer et je vous l'envoie dès que "
                "possible.",
                closing="Voici la facture {facture} à votre nom, en pièce jointe. Elle est aussi "
                "disponible dans votre espace client.",
                notes=("Facture absente de l'espace client : bug de génération signalé à "
                       "l'équipe technique.",),
            ),
            Case(
                subject="Erreur sur ma facture {facture}",
                openings=(
                    "Il y a une erreur sur la facture {facture} : le montant de {montant} ne "
                    "correspond pas à ce que j'ai payé.",
                ),
                question="Pourriez-vous nous indiquer le montant que vous avez réglé, et le "
                "moyen de paiement utilisé ?",
                details="J'ai payé {montant_paye} par carte bancaire, avec le code promo de "
                "bienvenue.",
                answer="Merci pour votre vigilance. Le code promo n'avait pas été appliqué sur "
                "la facture {facture} : nous émettons un avoir et une facture rectifiée.",
                wait="J'ai transmis votre demande au service comptable, qui doit valider "
                "l'avoir. Je reviens vers vous dès que c'est fait.",
                closing="Merci. La facture rectifiée est disponible dans votre espace client, "
                "et l'avoir correspondant a été émis.",
                notes=("Avoir à faire valider par la comptabilité avant l'envoi.",),
            ),
            Case(
                subject="Facture au nom de ma société",
                openings=(
                    "J'ai besoin d'une facture au nom de ma société pour la commande {commande}, "
                    "avec notre numéro de TVA.",
                ),
                question="Pour établir la facture au nom de votre société, pourriez-vous nous "
                "indiquer la raison sociale, l'adresse de facturation et le numéro de TVA "
                "intracommunautaire ?",
                details="La raison sociale est « {societe} », {adresse}, numéro de TVA "
                "FR{tva}.",
                answer="La facture de la commande {commande} a été rééditée au nom de votre "
                "société ; vous la trouverez dans votre espace client.",
                wait="Une facture au nom d'une société doit être validée par notre service "
                "comptable. Je reviens vers vous dès qu'elle est prête.",
                closing="Voici la facture rectifiée au nom de « {societe} », avec votre numéro "
                "de TVA.",
                notes=("Client professionnel : facture à refaire avec le numéro de TVA.",),
            ),
            Case(
                subject="Double prélèvement",
                openings=(
                    "Je vois deux prélèvements de {montant} sur mon relevé ce mois-ci. "
                    "Pouvez-vous vérifier ?",
                ),
                question="Pouvez-vous nous transmettre un extrait de relevé où apparaissent les "
                "deux prélèvements ? Vous pouvez masquer les autres lignes.",
                details="Voici l'extrait de mon relevé bancaire avec les deux prélèvements.",
                answer="Je vois effectivement deux prélèvements de {montant}. Le second vous "
                "sera remboursé sous 5 jours ouvrés.",
                wait="J'ai demandé à notre prestataire de paiement de vérifier les deux "
                "opérations. Je reviens vers vous dès sa réponse.",
                closing="Merci. Le second prélèvement de {montant} a bien été fait par erreur : "
                "le remboursement est lancé aujourd'hui.",
                notes=("Double prélèvement confirmé côté banque, lot du {date_commande}.",),
            ),
        ),
    ),
    Topic(
        key="remboursement",
        team=FACTURATION,
        cases=(
            Case(
                subject="Remboursement toujours pas reçu",
                openings=(
                    "J'ai renvoyé mon {produit} il y a deux semaines et le remboursement n'est "
                    "toujours pas arrivé sur mon compte.",
                ),
                question="Pourriez-vous nous indiquer le numéro de suivi du colis retour ? "
                "Nous n'en trouvons pas trace à l'entrepôt.",
                details="Je l'ai déposé au bureau de poste le {date_commande}, voici le numéro "
                "de dépôt : {suivi}.",
                answer="Votre retour a bien été réceptionné dans notre entrepôt. Le "
                "remboursement de {montant} est lancé et apparaîtra sur votre compte sous 3 à 5 "
                "jours ouvrés.",
                wait="D'après le suivi, le colis retour n'est pas encore arrivé à l'entrepôt. "
                "Je surveille sa réception et je reviens vers vous.",
                closing="Merci. Le colis est bien arrivé à l'entrepôt : le remboursement de "
                "{montant} est validé, vous le verrez sous 3 à 5 jours ouvrés.",
                notes=("Retour réceptionné le {date_livraison}, article conforme, remboursement "
                       "OK.",),
            ),
            Case(
                subject="Retour d'article",
                openings=(
                    "Je souhaite retourner le {produit} de la commande {commande}, il ne me "
                    "convient pas. Comment faire ?",
                ),
                question="Le retour est gratuit pendant 30 jours. Préférez-vous un "
                "remboursement ou un échange ?",
                details="Un remboursement, s'il vous plaît.",
                answer="Vous pouvez retourner l'article gratuitement pendant 30 jours. Je vous "
                "envoie l'étiquette de retour prépayée par e-mail ; le remboursement partira "
                "dès la réception.",
                wait="Cet article faisait partie d'une offre groupée : j'ai demandé au service "
                "commercial comment traiter le retour. Je reviens vers vous rapidement.",
                closing="C'est noté. L'étiquette de retour prépayée vous a été envoyée par "
                "e-mail ; le remboursement partira dès la réception de l'article.",
                notes=("Hors délai de deux jours : retour accepté à titre commercial.",),
            ),
            Case(
                subject="Remboursement de ma commande annulée",
                openings=(
                    "Vous m'aviez annoncé un remboursement de {montant} pour ma commande annulée "
                    "{commande}, mais je ne vois rien sur mon compte.",
                ),
                question="Pouvez-vous nous préciser le moyen de paiement utilisé lors de la "
                "commande ?",
                details="J'ai payé par carte bancaire.",
                answer="Le remboursement de {montant} a été émis le {date_livraison}. Selon les "
                "banques, il faut compter jusqu'à 5 jours ouvrés pour le voir sur votre compte.",
                wait="Le remboursement a été refusé par votre banque. J'ai demandé à notre "
                "service comptable de le relancer et je reviens vers vous.",
                closing="Merci. Le remboursement de {montant} a été renvoyé sur votre carte ; "
                "comptez 3 à 5 jours ouvrés.",
                notes=(
                    "Remboursement bloqué : la carte utilisée a expiré, proposer un virement.",
                    "Geste commercial de 10 € accordé pour l'attente.",
                ),
            ),
        ),
    ),
    Topic(
        key="acces_compte",
        team=SERVICE_CLIENT,
        cases=(
            Case(
                subject="Impossible de me connecter",
                openings=(
                    "Je n'arrive plus à me connecter à mon espace client : le site indique que "
                    "mon mot de passe est incorrect alors que je ne l'ai pas changé.",
                    "Mon compte est bloqué après plusieurs tentatives de connexion. Pouvez-vous "
                    "le débloquer ?",
                ),
                question="Pour des raisons de sécurité, pourriez-vous nous confirmer votre code "
                "postal et le numéro de votre dernière commande ?",
                details="Mon code postal est {code_postal} et ma dernière commande est la "
                "{commande}.",
                answer="Je viens de débloquer votre compte. Vous pouvez vous reconnecter ; nous "
                "vous conseillons de choisir un nouveau mot de passe.",
                wait="Votre compte a été bloqué par notre système antifraude. J'ai demandé une "
                "vérification à l'équipe sécurité et je reviens vers vous dès son feu vert.",
                closing="Merci, votre identité est vérifiée. Votre compte est débloqué ; nous "
                "vous conseillons de choisir un nouveau mot de passe.",
                notes=(
                    "Identité vérifiée (code postal et dernière commande).",
                    "Tentatives de connexion depuis une IP étrangère : mot de passe réinitialisé "
                    "par précaution.",
                ),
            ),
            Case(
                subject="E-mail de réinitialisation non reçu",
                openings=(
                    "Je ne reçois pas l'e-mail de réinitialisation du mot de passe, même dans "
                    "les courriers indésirables.",
                ),
                question="Pouvez-vous me confirmer l'adresse e-mail à laquelle vous "
                "l'attendez ?",
                details="C'est bien {email}.",
                answer="Je vous ai renvoyé le lien de réinitialisation. Il est valable une "
                "heure ; pensez à vérifier le dossier des courriers indésirables.",
                wait="Votre messagerie refuse nos e-mails depuis hier. Notre équipe technique "
                "est en contact avec votre fournisseur ; je reviens vers vous dès que c'est "
                "rétabli.",
                closing="Merci. Je vous ai renvoyé le lien à cette adresse ; il est valable une "
                "heure.",
                notes=("Rebonds sur les adresses de ce fournisseur depuis hier, incident "
                       "ouvert.",),
            ),
            Case(
                subject="L'application me déconnecte",
                openings=(
                    "L'application me déconnecte chaque fois que je l'ouvre, impossible "
                    "d'accéder à mes commandes.",
                ),
                question="Pouvez-vous nous indiquer le modèle de votre téléphone et la version "
                "de l'application ?",
                details="J'utilise la dernière version de l'application, sur Android.",
                answer="La mise à jour publiée ce matin corrige ce problème : il suffit de "
                "mettre l'application à jour depuis votre magasin d'applications.",
                wait="J'ai transmis le problème à notre équipe technique, qui enquête sur ces "
                "déconnexions. Je reviens vers vous dès qu'un correctif est disponible.",
                closing="Merci. La mise à jour publiée ce matin corrige ce problème sur "
                "Android : il suffit de mettre l'application à jour.",
                notes=("Bug connu sur Android 14, ticket technique TECH-{ticket}.",),
            ),
            Case(
                subject="Changement d'adresse e-mail",
                openings=(
                    "Je voudrais changer l'adresse e-mail associée à mon compte client "
                    "{numero_client}.",
                ),
                question="Quelle nouvelle adresse souhaitez-vous utiliser ? Un lien de "
                "confirmation y sera envoyé.",
                details="La nouvelle adresse est {nouvel_email}.",
                answer="Vous pouvez changer votre adresse vous-même dans votre espace client, "
                "rubrique « Mes informations » ; un lien de confirmation sera envoyé à la "
                "nouvelle adresse.",
                wait="Votre compte est rattaché à un contrat professionnel : le changement doit "
                "être validé par l'administrateur du contrat. Je reviens vers vous dès sa "
                "réponse.",
                closing="C'est fait : un lien de confirmation a été envoyé à {nouvel_email}. Le "
                "changement sera effectif dès que vous aurez cliqué dessus.",
                notes=("Demande reçue par un autre canal que l'adresse actuelle : identité "
                       "vérifiée avant le changement.",),
            ),
        ),
    ),
    Topic(
        key="rendez_vous",
        team=SERVICE_CLIENT,
        cases=(
            Case(
                subject="Rendez-vous d'installation",
                openings=(
                    "Je souhaiterais prendre rendez-vous pour l'installation de mon {appareil}. "
                    "Quelles sont vos disponibilités ?",
                ),
                question="Quels jours et quels créneaux vous conviendraient le mieux ?",
                details="Je suis disponible toute la semaine prochaine sauf mercredi, plutôt le "
                "matin.",
                answer="Votre installation est programmée le {rdv_date} à {rdv_heure}. Vous "
                "recevrez un rappel par SMS la veille.",
                wait="J'attends le planning des techniciens de la semaine prochaine pour vous "
                "proposer un créneau. Je reviens vers vous demain.",
                closing="C'est confirmé pour le {rdv_date} à {rdv_heure}. Vous recevrez un "
                "rappel par SMS la veille.",
                notes=(
                    "Prévoir deux heures d'intervention : reprise de l'ancien appareil.",
                    "Créneau bloqué dans le planning de l'équipe de {ville}.",
                ),
            ),
            Case(
                subject="Déplacer mon rendez-vous",
                openings=(
                    "J'ai un rendez-vous le {rdv_date} à {rdv_heure} mais j'ai un empêchement. "
                    "Peut-on le déplacer ?",
                ),
                question="Bien sûr. Quel autre jour vous conviendrait ?",
                details="Le lendemain à la même heure, si c'est possible.",
                answer="Votre rendez-vous est déplacé au lendemain, à la même heure. Vous "
                "recevrez un nouveau rappel par SMS la veille.",
                wait="Le planning de la semaine est complet ; j'ai demandé au responsable de "
                "l'équipe de {ville} s'il peut ajouter un créneau. Je reviens vers vous.",
                closing="C'est noté : votre rendez-vous est déplacé au lendemain, à la même "
                "heure.",
                notes=("Deuxième report demandé pour ce rendez-vous.",),
            ),
            Case(
                subject="Technicien absent",
                openings=(
                    "Le technicien devait passer ce matin et personne n'est venu. Que se "
                    "passe-t-il ?",
                ),
                question="Toutes nos excuses. Pouvez-vous nous confirmer l'adresse "
                "d'intervention, pour que nous vérifiions le dossier ?",
                details="L'adresse est {adresse}.",
                answer="Toutes nos excuses : le technicien a eu un empêchement. Nous vous "
                "proposons un nouveau passage le {rdv_date}, entre 8 h et 12 h.",
                wait="Je cherche avec l'équipe de {ville} ce qui s'est passé, et un nouveau "
                "créneau. Je reviens vers vous dans la journée.",
                closing="Merci. Un nouveau passage est prévu le {rdv_date} entre 8 h et 12 h ; "
                "le technicien vous appellera une demi-heure avant.",
                notes=("Technicien absent ce matin, trois clients à replanifier.",),
            ),
            Case(
                subject="Rendez-vous en magasin",
                openings=(
                    "Est-il possible d'avoir un rendez-vous au magasin de {ville} un samedi ?",
                ),
                question="Oui, le magasin de {ville} reçoit sur rendez-vous le samedi matin. "
                "Quelle heure vous arrangerait ?",
                details="{rdv_heure}, ce serait parfait.",
                answer="Je vous ai réservé un rendez-vous au magasin de {ville} samedi à "
                "{rdv_heure}. Vous recevrez une confirmation par SMS.",
                wait="Le magasin de {ville} gère lui-même ses rendez-vous du samedi ; je lui ai "
                "transmis votre demande et je reviens vers vous.",
                closing="C'est réservé : samedi à {rdv_heure} au magasin de {ville}. À bientôt !",
                notes=("Magasin de {ville} : ouvert le samedi sur rendez-vous uniquement.",),
            ),
        ),
    ),
    Topic(
        key="abonnement",
        team=FACTURATION,
        cases=(
            Case(
                subject="Changement d'offre",
                openings=(
                    "Je souhaite passer de l'offre {offre} à l'offre {nouvelle_offre}. Comment "
                    "faire, et à partir de quand le changement s'applique-t-il ?",
                ),
                question="Souhaitez-vous que le changement s'applique dès maintenant ou à la "
                "prochaine échéance ?",
                details="À la prochaine échéance, ce sera très bien.",
                answer="Le passage à l'offre {nouvelle_offre} est possible à tout moment. Je "
                "l'ai enregistré : il prendra effet à votre prochaine échéance, le 1er du mois "
                "prochain.",
                wait="Un changement d'offre en cours d'engagement doit être validé par le "
                "service abonnements. Je reviens vers vous sous 48 heures.",
                closing="C'est fait : vous passez à l'offre {nouvelle_offre} à compter du 1er du "
                "mois prochain.",
                notes=("Client fidèle depuis six ans : proposer un mois offert.",),
            ),
            Case(
                subject="Résiliation de mon abonnement",
                openings=("Je voudrais résilier mon abonnement {offre}. Quel est le préavis ?",),
                question="Pour que je retrouve votre abonnement, pourriez-vous nous confirmer "
                "votre numéro client ?",
                details="Mon numéro client est {numero_client}.",
                answer="La résiliation de l'abonnement {offre} se fait sans préavis ; elle sera "
                "effective à la fin de la période en cours. Vous recevrez une confirmation par "
                "e-mail.",
                wait="Votre abonnement est encore engagé pour deux mois : j'ai demandé au "
                "service abonnements s'il peut lever l'engagement. Je reviens vers vous.",
                closing="Merci. Votre résiliation est enregistrée et sera effective à la fin de "
                "la période en cours ; vous recevrez une confirmation par e-mail.",
                notes=("Risque de départ : proposer l'offre {nouvelle_offre} à tarif réduit.",),
            ),
            Case(
                subject="Hausse de tarif",
                openings=(
                    "Mon abonnement a augmenté de {hausse} par mois sans que j'aie reçu la "
                    "moindre information.",
                ),
                question="Pouvez-vous nous confirmer l'adresse e-mail de votre compte ? Je vais "
                "vérifier l'envoi de notre courrier d'information.",
                details="C'est {email}.",
                answer="Cette hausse a été annoncée par e-mail il y a deux mois. Je peux "
                "toutefois vous proposer l'offre {nouvelle_offre}, plus adaptée à votre usage.",
                wait="J'ai demandé au service abonnements de vérifier l'envoi de l'e-mail "
                "d'information. Je reviens vers vous dès sa réponse.",
                closing="Merci. L'e-mail d'information ne vous est en effet jamais parvenu : "
                "nous vous remboursons la hausse des deux derniers mois.",
                notes=("Hausse contestée : rappeler l'e-mail d'information du "
                       "{date_commande}.",),
            ),
            Case(
                subject="Suspension de mon abonnement",
                openings=(
                    "Est-il possible de suspendre mon abonnement pendant deux mois, le temps de "
                    "mon déménagement ?",
                ),
                question="À partir de quelle date souhaitez-vous suspendre l'abonnement ?",
                details="À partir du 1er du mois prochain, s'il vous plaît.",
                answer="C'est possible une fois par an : votre abonnement est suspendu pour deux "
                "mois à compter du 1er du mois prochain.",
                wait="Votre demande de suspension est soumise à la validation du service "
                "abonnements. Je reviens vers vous sous 48 heures.",
                closing="C'est noté : votre abonnement est suspendu pour deux mois à compter du "
                "1er du mois prochain. Bon déménagement !",
                notes=("Suspension validée à titre exceptionnel (déménagement).",),
            ),
        ),
    ),
)

# A customer's last word before the agent resolves.
THANKS = (
    "Merci beaucoup pour votre réponse rapide !",
    "Parfait, merci.",
    "Super, merci pour votre aide.",
    "C'est noté, bonne journée.",
    "Merci, c'est bien reçu.",
    "Très bien, merci pour votre efficacité.",
)

# What a customer sends when an answer takes too long.
REMINDERS = (
    "Je n'ai toujours pas de réponse, pouvez-vous me tenir au courant ?",
    "Bonjour, je me permets de relancer ma demande.",
    "Des nouvelles de mon dossier ?",
)

CUSTOMER_SIGN_OFFS = ("Cordialement,", "Bien à vous,", "Merci d'avance,", "Bonne journée,")

FIRST_NAMES = (
    "Camille", "Léa", "Manon", "Chloé", "Inès", "Sarah", "Julie", "Emma", "Louise", "Jade",
    "Clara", "Élodie", "Nathalie", "Isabelle", "Sophie", "Céline", "Aurélie", "Sandrine",
    "Margaux", "Anaïs", "Hélène", "Valérie", "Amandine", "Océane", "Mathilde", "Lucas",
    "Hugo", "Thomas", "Nicolas", "Julien", "Antoine", "Maxime", "Alexandre", "Romain",
    "Kevin", "Mehdi", "Karim", "Yannick", "Sébastien", "Frédéric", "Pierre", "Jean",
    "Philippe", "Olivier", "Laurent", "Théo", "Arthur", "Louis", "Gabriel", "Raphaël",
    "Bastien", "Quentin", "Loïc", "Cédric", "Jérôme", "Rémi", "Adrien", "Benoît",
)

LAST_NAMES = (
    "Martin", "Bernard", "Dubois", "Thomas", "Robert", "Richard", "Petit", "Durand",
    "Leroy", "Moreau", "Simon", "Laurent", "Lefebvre", "Michel", "Garcia", "David",
    "Bertrand", "Roux", "Vincent", "Fournier", "Morel", "Girard", "André", "Lefèvre",
    "Mercier", "Dupont", "Lambert", "Bonnet", "François", "Martinez", "Legrand", "Garnier",
    "Faure", "Rousseau", "Blanc", "Guérin", "Muller", "Henry", "Roussel", "Nicolas",
    "Perrin", "Morin", "Mathieu", "Clément", "Gauthier", "Dumont", "Lopez", "Fontaine",
    "Chevalier", "Robin", "Masson", "Sanchez", "Gérard", "Nguyen", "Boyer", "Denis",
    "Lemaire", "Duval", "Benali", "Haddad", "Diallo", "Le Gall", "Caron", "Brunet",
)

PRODUCTS = (
    "aspirateur robot", "robot cuiseur", "casque Bluetooth", "friteuse sans air",
    "lave-linge", "téléviseur 55 pouces", "trottinette électrique", "lot de poêles",
    "imprimante", "matelas 140x190", "four micro-ondes", "sèche-cheveux",
)
# What a technician comes to install.
APPLIANCES = (
    "lave-linge", "lave-vaisselle", "four encastrable", "téléviseur 65 pouces",
    "réfrigérateur américain", "sèche-linge",
)
CARRIERS = ("Colissimo", "Chronopost", "DPD", "Mondial Relay", "UPS", "GLS")
PLANS = ("Essentiel", "Confort", "Premium", "Famille")
CITIES = (
    "Lyon", "Marseille", "Toulouse", "Nantes", "Bordeaux", "Lille", "Rennes", "Strasbourg",
    "Montpellier", "Grenoble", "Dijon", "Angers",
)
STREETS = (
    "rue des Lilas", "avenue Jean-Jaurès", "rue de la République", "boulevard Victor-Hugo",
    "rue Pasteur", "allée des Tilleuls", "rue du Moulin", "place de la Mairie",
)
POSTCODES = {
    "Lyon": "69003", "Marseille": "13006", "Toulouse": "31000", "Nantes": "44000",
    "Bordeaux": "33000", "Lille": "59000", "Rennes": "35000", "Strasbourg": "67000",
    "Montpellier": "34000", "Grenoble": "38000", "Dijon": "21000", "Angers": "49000",
}
COMPANIES = (
    "Boulangerie Lemoine", "Cabinet Faure & Associés", "Garage du Centre", "Atelier Bois Vert",
    "Pharmacie des Halles", "SARL Transports Morel",
)
MONTHS = (
    "janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre",
    "octobre", "novembre", "décembre",
)
WEEKDAYS = ("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche")


# Canned replies of the demo's `/` menu: (shortcut, title, text with variables).
CANNED_REPLIES = [
    ("bonjour", "Accueil",
     "Bonjour {{contact.first_name|}}, merci pour votre message. Je regarde votre demande "
     "tout de suite. {{agent.first_name}}"),
    ("livraison", "Délai de livraison",
     "Bonjour {{contact.first_name|}}, votre colis est en route : comptez deux à trois jours "
     "ouvrés. Le lien de suivi vous a été envoyé par e-mail."),
    ("attente", "File d'attente",
     "Merci de votre patience : vous êtes numéro {{queue.position|1}} dans la file, "
     "{{queue.estimated_wait|un conseiller vous répond dès que possible}}."),
]
REFUND_MACRO_REPLY = (
    "Bonjour {{contact.first_name|}}, votre remboursement est validé : il apparaîtra sur votre "
    "compte sous cinq jours ouvrés. {{agent.first_name}}"
)
URGENT_WORDS = ("urgent", "urgence", "plainte", "inadmissible")

