"""Why a message bounced, in sisimai's vocabulary and by sisimai's order of evidence.

Reason names are sisimai's (userunknown, mailboxfull, filtered, ...), so that our figures compare
with it and an operator can look a name up in its documentation. The decision follows the order
sisimai documents for its reasons (libsisimai.org, "Bounce reason list"), written anew here:

1. a reason the report's own format states (an MTA's fixed wording, a provider's bounce type) is
   final, unless it is one of the vague ones (`RETRIED`) that the evidence below may refine;
2. the first of the *probed* reasons whose test passes: each looks at the enhanced status code,
   the SMTP command that failed (a refusal at RCPT is not a refusal of the content) and the
   words of the diagnostic;
3. else the reason the status code names, or the first reason whose words the diagnostic
   carries, then what the status class, the mailer type, the reply code or the action say;
4. else "onhold" when there is a diagnostic we could not read, "undefined" when there is none.

The wordings below are the MTAs' and services' own messages (their documentation, and the
collection sisimai publishes under the BSD 2-Clause licence, github.com/sisimai); the rules
that use them are written here.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

# Vague reasons: a format-given or status-given one of these is refined by the words.
RETRIED = frozenset(
    {
        "undefined",
        "onhold",
        "systemerror",
        "securityerror",
        "expired",
        "networkerror",
        "hostunknown",
        "userunknown",
    }
)
# SMTP commands before DATA: a refusal there cannot be about the message's content.
BEFORE_DATA = frozenset({"CONN", "EHLO", "HELO", "MAIL", "RCPT"})

# What the enhanced status codes of RFC 3463 and the IANA registry mean, as sisimai names them.
# Codes absent here (X.0.0, 5.1.5, 4.1.1, 5.5.1, ...) say nothing precise by themselves.
STATUS_REASONS: dict[str, str] = {
    "2.1.5": "delivered",
    "4.1.6": "hasmoved",
    "4.1.7": "rejected",
    "4.1.8": "rejected",
    "4.1.9": "systemerror",
    "4.2.1": "blocked",
    "4.2.2": "mailboxfull",
    "4.2.3": "exceedlimit",
    "4.2.4": "filtered",
    "4.3.1": "systemfull",
    "4.3.2": "notaccept",
    "4.3.3": "systemerror",
    "4.3.5": "systemerror",
    "4.4.1": "expired",
    "4.4.2": "networkerror",
    "4.4.3": "systemerror",
    "4.4.4": "networkerror",
    "4.4.5": "systemfull",
    "4.4.6": "networkerror",
    "4.4.7": "expired",
    "4.4.8": "networkerror",
    "4.5.3": "systemerror",
    "4.5.5": "systemerror",
    "4.6.0": "contenterror",
    "4.6.2": "contenterror",
    "4.6.5": "contenterror",
    "4.7.1": "blocked",
    "4.7.2": "blocked",
    "4.7.5": "securityerror",
    "4.7.6": "securityerror",
    "4.7.7": "securityerror",
    "4.7.12": "securityerror",
    "4.7.15": "securityerror",
    "4.7.16": "mesgtoobig",
    "4.7.24": "authfailure",
    "4.7.25": "requireptr",
    "4.7.26": "authfailure",
    "5.1.0": "userunknown",
    "5.1.1": "userunknown",
    "5.1.2": "hostunknown",
    "5.1.3": "userunknown",
    "5.1.4": "filtered",
    "5.1.6": "hasmoved",
    "5.1.7": "rejected",
    "5.1.8": "rejected",
    "5.1.9": "systemerror",
    "5.1.10": "notaccept",
    "5.2.0": "filtered",
    "5.2.1": "filtered",
    "5.2.2": "mailboxfull",
    "5.2.3": "exceedlimit",
    "5.2.4": "filtered",
    "5.3.0": "systemerror",
    "5.3.1": "systemfull",
    "5.3.2": "notaccept",
    "5.3.3": "systemerror",
    "5.3.4": "mesgtoobig",
    "5.3.5": "systemerror",
    "5.4.0": "networkerror",
    "5.4.3": "systemerror",
    "5.4.4": "hostunknown",
    "5.5.2": "syntaxerror",
    "5.5.3": "toomanyconn",
    "5.5.4": "systemerror",
    "5.5.5": "systemerror",
    "5.5.6": "syntaxerror",
    **{f"5.6.{n}": "contenterror" for n in (0, 1, 2, 3, 5, 6, 7, 8, 9)},
    **{f"5.7.{n}": "securityerror" for n in (0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 14, 15, 19)},
    "5.7.13": "suspend",
    "5.7.16": "mesgtoobig",
    "5.7.17": "hasmoved",
    "5.7.18": "hasmoved",
    **{f"5.7.{n}": "authfailure" for n in (20, 21, 22, 23, 24, 26, 29)},
    "5.7.25": "requireptr",
    "5.7.27": "notaccept",
    "5.7.28": "spamdetected",
    "5.7.30": "failedstarttls",
}

# Pseudo status codes for a report without one: sisimai's internal "X.0.9nn" values, so that an
# inferred status never passes for one the remote server gave and figures compare.
_PSEUDO_CODES = {
    "authfailure": "926",
    "badreputation": "975",
    "blocked": "971",
    "contenterror": "960",
    "exceedlimit": "923",
    "expired": "947",
    "failedstarttls": "976",
    "filtered": "910",
    "hasmoved": "916",
    "hostunknown": "912",
    "mailboxfull": "922",
    "mailererror": "939",
    "mesgtoobig": "934",
    "networkerror": "944",
    "norelaying": "909",
    "notaccept": "932",
    "notcompliantrfc": "974",
    "onhold": "901",
    "policyviolation": "972",
    "rejected": "918",
    "requireptr": "973",
    "securityerror": "970",
    "spamdetected": "980",
    "speeding": "946",
    "suppressed": "903",
    "suspend": "921",
    "syntaxerror": "902",
    "systemerror": "930",
    "systemfull": "931",
    "toomanyconn": "945",
    "userunknown": "911",
    "undefined": "900",
    "virusdetected": "981",
}
# A temporary failure never condemns a domain or a mailbox: these have no "4.0.9nn" code.
_NO_TEMPORARY_CODE = frozenset({"hasmoved", "hostunknown", "userunknown"})


def pseudo_status(reason: str, *, temporary: bool) -> str:
    code = _PSEUDO_CODES.get(reason, "900")
    if temporary and reason not in _NO_TEMPORARY_CODE:
        return f"4.0.{code}"
    return f"5.0.{code}"


def status_reason(status: str) -> str:
    return STATUS_REASONS.get(status, "")


# --- What MTAs write, per reason ----------------------------------------------------------
# Lower-case fragments found in diagnostics. A tuple inside a list is a sequence of fragments
# that must appear in that order ("mailbox ... full").

Fragment = str | tuple[str, ...]

_WORDS: dict[str, tuple[Fragment, ...]] = {
    "authfailure": (
        "//spf.pobox.com",
        "bad spf records for",
        "dmarc policy",
        "doesn't meet the required authentication level",
        "please inspect your spf settings",
        "sender policy framework (spf) fail",
        "sender policy framework violation",
        "spf (sender policy framework) domain authentication fail",
        "spf check: fail",
        "5322.from address doesn't meet the authentication requirements",
        ("is not allowed to send from <", " per it's spf record"),
    ),
    "badreputation": (
        "a poor email reputation score",
        "has been temporarily rate limited due to ip reputation",
        "ip/domain reputation problems",
        "likely suspicious due to the very low reputation",
        "the sending mta's poor reputation",
    ),
    "blocked": (
        " said: 550 blocked",
        "//www.spamcop.net/bl.",
        "bad sender ip address",
        "banned sending ip",
        "blacklisted by",
        "blocked using ",
        "blocked - see http",
        "client host rejected: may not be mail exchanger",
        "client host rejected: was not authenticated",
        "client host rejected: abus detecte",
        "confirm this mail server",
        "connection dropped",
        "connection refused by",
        "connection reset by peer",
        "connection was dropped by remote host",
        "connections not accepted from ip addresses on spamhaus",
        "currently sending spam see: ",
        "domain does not exist:",
        "dynamic/zombied/spam ips blocked",
        "esmtp not accepting connections",
        "extreme bad ip profile",
        "go away",
        "helo command rejected:",
        "host network not allowed",
        "hosts with dynamic ip",
        "invalid ip for sending mail of domain",
        "is in a black list",
        "is not allowed to send mail from",
        "mailfrom domain is listed in spamhaus",
        "no access from mail server",
        "not currently accepting mail from your ip",
        "part of their network is on our block list",
        "please use the smtp server of your isp",
        "refused - see http",
        "rejected - multi-blacklist",
        "rejecting open proxy",
        "sender ip address rejected",
        "server access forbidden by your ip ",
        "service not available, closing transmission channel",
        "smtp error from remote mail server after initial connection:",
        "sorry, that domain isn't in my list of allowed rcpthosts",
        "sorry, your remotehost looks suspiciously like spammer",
        "temporarily deferred due to unexpected volume or user complaints",
        "too many spams from your ip",
        "too many unwanted messages have been sent from the following ip address",
        "was blocked by ",
        "we do not accept mail from dynamic ips",
        "you are not allowed to connect",
        "you are sending spam",
        "your ip address is listed in the rbl",
        "your network is temporary blacklisted",
        "your server requires confirmation",
        ("access from ip address ", " blocked"),
        ("client host ", " blocked using"),
        ("email blocked by ", "spamhaus"),
        ("email blocked by ", ".barracudacentral.org"),
        ("host ", " refused to talk to me: ", " blocked"),
        ("is in an ", "rbl on "),
        ("mail server at ", " is blocked"),
        ("mail from ", " refused:"),
        ("message from ", " rejected based on blacklist"),
        ("messages from ", " temporarily deferred due to user complaints"),
        ("server ip ", " listed as abusive"),
        ("your ip address", " is blocked by rbl"),
        ("the domain ", " is blacklisted"),
        ("the email ", " is blacklisted"),
        ("the ip", " is blacklisted"),
        ("your access ip", " has been rejected"),
        ("your sender's ip address is listed at ", ".abuseat.org"),
    ),
    "contenterror": (
        "duplicate header",
        "header size exceeds maximum permitted",
        "improper use of 8-bit data in message header",
        "message header size, or recipient list, exceeds policy limit",
        "message mime complexity exceeds the policy maximum",
        "routing loop detected -- too many received: headers",
        "this message contain invalid mime headers",
        "this message contain improperly-formatted binary content",
        "this message contain text that uses unnecessary base64 encoding",
    ),
    "exceedlimit": ("message header size exceeds limit", "message too large"),
    "expired": (
        "connection timed out",
        "could not find a gateway for",
        "delivery attempts will continue to be",
        "delivery expired",
        "delivery time expired",
        "failed to deliver to domain ",
        "giving up on",
        "have been failing for a long time",
        "has been delayed",
        "it has not been collected after",
        "message expired after sitting in queue for",
        "message expired, cannot connect to remote server",
        "message timed out",
        "retry time not reached for any host after a long failure period",
        "retry timeout exceeded",
        "server did not respond",
        "this message has been in the queue too long",
        "unable to deliver message after multiple retries",
        "was not reachable within the allowed queue period",
        "your message could not be delivered for more than",
        ("could not be delivered for", " days"),
    ),
    "filtered": (
        "account is protected by",
        "bounced address",
        "has restricted sms e-mail",
        "is not accepting any mail",
        "message filtered",
        "message rejected due to user rules",
        "not found recipient account",
        "recipient id refuse to receive mail",
        "recipient is only accepting mail from specific email addresses",
        "refused due to recipient preferences",
        "user not found",
        "user refuses to receive this mail",
        "user reject",
        "you have been blocked by the recipient",
    ),
    "hasmoved": (("address ", " has been replaced by "),),
    "hostunknown": (
        "domain does not exist",
        "domain is not reachable",
        "domain must exist",
        "host or domain name not found",
        "host unknown",
        "host unreachable",
        "mail domain mentioned in email address is unknown",
        "name or service not known",
        "no such domain",
        "recipient address rejected: unknown domain name",
        "recipient domain must exist",
        "the account or domain may not exist",
        "unknown host",
        "unroutable address",
        "unrouteable address",
        ("553 ", " does not exist"),
    ),
    "mailboxfull": (
        "452 insufficient disk space",
        "account disabled temporarly for exceeding receiving limits",
        "boite du destinataire pleine",
        "exceeded storage allocation",
        "full mailbox",
        "mailbox exceeds allowed size",
        "mailbox size limit exceeded",
        "mailbox would exceed maximum allowed storage",
        "mailfolder is full",
        "no space left on device",
        "not sufficient disk space",
        "quota violation for",
        "too much mail data",
        "user has exceeded quota, bouncing mail",
        "user has too many messages on the server",
        "user's space has been used up",
        ("account is ", " quota"),
        ("disk", "quota"),
        ("enough ", " space"),
        ("mailbox ", "exceeded", " limit"),
        ("mailbox ", "full"),
        ("mailbox ", "quota"),
        ("maildir ", "quota"),
        ("over ", "quota"),
        ("quota ", "exceeded"),
    ),
    "mailererror": (
        "x-unix; ",
        "command died with status ",
        "command output:",
        "exit code ",
        "unknown mailer error ",
    ),
    "mesgtoobig": (
        "exceeded maximum inbound message size",
        "exceeded the maximum incoming message size",
        "line limit exceeded",
        "max message size exceeded",
        "message file too big",
        "message length exceeds administrative limit",
        "message size exceeds fixed limit",
        "message size exceeds fixed maximum message size",
        "message size exceeds maximum value",
        "message too big",
        "message too large for this ",
        "size limit",
        "taille limite du message atteinte",
    ),
    "networkerror": (
        "could not connect and send the mail to",
        "dns records for the destination computer could not be found",
        "hop count exceeded - possible mail loop",
        "host is unreachable",
        "host name lookup failure",
        "host not found, try again",
        "mail forwarding loop for ",
        "malformed name server reply",
        "malformed or unexpected name server reply",
        "maximum forwarding loop count exceeded",
        "message looping",
        "message probably in a routing loop",
        "no route to host",
        "too many hops",
        "unable to resolve route ",
        "unrouteable mail domain",
    ),
    "norelaying": (
        "as a relay",
        "insecure mail relay",
        "is not permitted to relay through this server without authentication",
        "mail server requires authentication when attempting to send to a non-local",
        "no relaying",
        "not a gateway",
        "not allowed to relay through this machine",
        "not an open relay, so get lost",
        "not local host",
        "relay access denied",
        "relay denied",
        "relay not permitted",
        "relaying denied",
        "relaying mail to ",
        "specified domain is not allowed",
        "that domain isn't in my list of allowed rcpthost",
        "this system is not configured to relay mail",
        "unable to relay ",
        "we don't handle mail for",
    ),
    "notaccept": (
        "does not accept mail (nullmx)",
        "host/domain does not accept mail",
        "host does not accept mail",
        "mail receiving disabled",
        "name server: .: host not found",
        "no mx record found for domain=",
        "no route for current request",
        "smtp protocol returned a permanent error",
    ),
    "notcompliantrfc": (
        "duplicate header",
        "this message is not rfc 5322 compliant",
        "https://support.google.com/mail/?p=rfcmessagenoncompliant",
        (" multiple ", " header"),
    ),
    "policyviolation": (
        "an illegal attachment on your message",
        "because the recipient is not accepting mail with ",
        "by non-member to a members-only list",
        "closed mailing list",
        "denied by policy",
        "email not accepted for policy reasons",
        "email rejected due to security policies",
        "header are not accepted",
        "header error",
        "local policy violation",
        "message bounced due to organizational settings",
        "message given low priority",
        "message not accepted for policy reasons",
        "message rejected due to local policy",
        "messages with multiple addresses",
        "rejected for policy reasons",
        "protocol violation",
        "the email address used to send your message is not subscribed to this group",
        "the message was rejected by organization policy",
        "this message was blocked because its content presents a potential",
        "we do not accept messages containing images or other attachments",
        "you're using a mass mailer",
        ("you have exceeded the", "allowable number of posts without solving a captcha"),
    ),
    "rejected": (
        "access denied (in reply to mail from command)",
        "access denied (sender blacklisted)",
        "address rejected",
        "administrative prohibition",
        "batv failed to verify",
        "batv validation failure",
        "backscatter protection detected an invalid or expired email address",
        "because the sender isn't on the recipient's list of senders to accept mail from",
        "bogus mail from",
        "can't determine purported responsible address",
        "connections not accepted from servers without a valid sender domain",
        "denied [bouncedeny]",
        "denied by secumail valid-address-filter",
        "delivery not authorized, message refused",
        "does not exist e2110",
        "domain of sender address ",
        "email address is on senderfilterconfig list",
        "emetteur invalide",
        "empty envelope senders not allowed",
        "envelope blocked - ",
        "error: no third-party dsns",
        "from: domain is invalid. please provide a valid from:",
        "fully qualified email address required",
        "invalid domain, see <url:",
        "invalid sender",
        "is not a registered gateway user",
        "mail from not owned by user",
        "message rejected: email address is not verified",
        "mx records for ",
        "null sender is not allowed",
        "recipient addresses rejected : access denied",
        "recipient not accepted. (batv: no tag",
        "returned mail not accepted here",
        "rfc 1035 violation: recursive cname records for",
        "rule imposed mailbox access for",
        "sending this from a different address or alias using the ",
        "sender address has been blacklisted",
        "sender email address rejected",
        "sender is in my black list",
        "sender is spammer",
        "sender not pre-approved",
        "sender rejected",
        "sender domain is empty",
        "sender verify failed",
        "sender was rejected",
        "spam reporting address",
        "syntax error: empty email address",
        "the message has been rejected by batv defense",
        "this server does not accept mail from",
        "transaction failed unsigned dsn for",
        "unroutable sender address",
        "you are not allowed to post to this mailing list",
        "you are sending to/from an address that has been blacklisted",
        "your access to submit messages to this e-mail system has been rejected",
        "your email address has been blacklisted",
    ),
    "requireptr": (
        "access denied. ip name lookup failed",
        "all mail servers must have a ptr record with a valid reverse dns entry",
        "bad dns ptr resource record",
        "cannot find your hostname",
        "cannot resolve your address.",
        "fix reverse dns for ",
        "ips with missing ptr records",
        "no ptr record found.",
        "please get a custom reverse dns name from your isp for your host",
        "ptr record setup",
        "reverse dns failed",
        "reverse dns required",
        "sender ip reverse lookup rejected",
        "the corresponding forward dns entry does not point to the sending ip",
        "this system will not accept messages from servers/devices with no reverse dns",
        "unresolvable relay host name",
        "we do not accept mail from hosts with dynamic ip or generic dns ptr-records",
        ("domain ", " mismatches client ip"),
        ("dns lookup failure: ", " try again later"),
        ("reverse dns lookup for host ", " failed permanently"),
        ("server access ", " forbidden by invalid rdns record of your mail server"),
        ("service permits ", " unverifyable sending ips"),
    ),
    "securityerror": (
        "account not subscribed to ses",
        "authentication credentials invalid",
        "authentication failure",
        "authentication required",
        "authentication turned on in your email client",
        "executable files are not allowed in compressed files",
        "insecure mail relay",
        "recipient address rejected: access denied",
        "sorry, you don't authenticate or the domain isn't in my list of allowed rcpthosts",
        "unauthenticated senders not allowed",
        "verification failure",
        "you are not authorized to send mail, authentication is required",
        ("authentication failed; server ", " said: "),
        ("authentification invalide", "305"),
        ("authentification requise", "402"),
        ("domain ", " is a dead domain"),
        ("user ", " is not authorized to perform ses:sendrawemail on resource"),
    ),
    "spamdetected": (
        " - spam",
        "//www.spamhaus.org/help/help_spam_16.htm",
        "//dsbl.org/help/help_spam_16.htm",
        "//mail.163.com/help/help_spam_16.htm",
        "554 5.7.0 reject, id=",
        "appears to be unsolicited",
        "blacklisted url in message",
        "block for spam",
        "blocked by policy: no spam please",
        "blocked by spamassassin",
        "blocked for abuse. see http://att.net/blocks",
        "cannot be forwarded because it was detected as spam",
        "considered unsolicited bulk e-mail (spam) by our mail filters",
        "content filter rejection",
        "cyberoam anti spam engine has identified this email as a bulk email",
        "denied due to spam list",
        "high probability of spam",
        "is classified as spam and is rejected",
        "listed in work.drbl.imedia.ru",
        "the mail server detected your message as spam and has prevented delivery.",
        "mail appears to be unsolicited",
        "mail content denied",
        "may consider spam",
        "message considered as spam or virus",
        "message contains spam or virus",
        "message content rejected",
        "message detected as spam",
        "message filtered",
        "message looks like spam",
        "message is being rejected as it seems to be a spam",
        "message refused by mailmarshal spamprofiler",
        "message refused by trustwave seg spamprofiler",
        "message rejected as spam",
        "message rejected because of unacceptable content",
        "message rejected due to suspected spam content",
        "message rejected for policy reasons",
        "message was rejected for possible spam/virus content",
        "our email server thinks this email is spam",
        "our system has detected that this message is ",
        "probable spam",
        "reject bulk.advertising",
        "rejected: spamassassin score ",
        "rejected - bulk email",
        "rejecting banned content",
        "rejecting mail content",
        "related to content with spam-like characteristics",
        "sender domain listed at ",
        "sending address not accepted due to spam filter",
        "spam blocked",
        "spam check",
        "spam content matched",
        "spam detected",
        "spam email",
        "spam message rejected.",
        "spam not accepted",
        "spam refused",
        "spam rejection",
        "spam score ",
        "spambouncer identified spam",
        "spamming not allowed",
        "too many spam complaints",
        "too much spam.",
        "the email message was detected as spam",
        "the message has been rejected by spam filtering engine",
        "the message was rejected due to classification as bulk mail",
        "the content of this message looked like spam",
        "this message appears to be spam",
        "this message has been identified as spam",
        "this message has been scored as spam with a probability",
        "this message was classified as spam",
        "this message was rejected by recurrent pattern detection system",
        "transaction failed spam message not queued",
        "we dont accept spam",
        "your email appears similar to spam we have received before",
        "your email breaches local uribl policy",
        "your email had spam-like ",
        "your email is considered spam",
        "your email is probably spam",
        "your email was detected as spam",
        "your message as spam and has prevented delivery",
        "your message has been temporarily blocked by our filter",
        "your message has been rejected because it appears to be spam",
        "your message has triggered a spam block",
        "your message may contain the spam contents",
        "your message failed several antispam checks",
        ("greylisted", " please try again in"),
        ("mail score (", " over "),
        ("mail rejete. mail rejected. ", "506"),
        ("our filters rate at and above ", " percent probability of being spam"),
        ("rejected by ", " (spam)"),
        ("rejected due to spam ", "classification"),
        ("rejected due to spam ", "content"),
        ("rule imposed as ", " is blacklisted on"),
        ("spam ", " exceeded"),
        ("this message scored ", " spam points"),
    ),
    "speeding": (
        "please try again slower",
        "receiving mail at a rate that prevents additional messages from being delivered",
    ),
    "suspend": (
        " is currently suspended",
        " temporary locked",
        "archived recipient",
        "boite du destinataire archivee",
        "email account that you tried to reach is disabled",
        "has been suspended",
        "inactive account",
        "invalid/inactive user",
        "is a deactivated mailbox",
        "is unavailable: user is terminated",
        "mailbox currently suspended",
        "mailbox disabled",
        "mailbox is frozen",
        "mailbox unavailable or access denied",
        "recipient rejected: temporarily inactive",
        "recipient suspend the service",
        "the email account that you tried to reach is inactive",
        "this account has been disabled or discontinued",
        "this account has been temporarily suspended",
        "this address no longer accepts mail",
        "this mailbox is disabled",
        "user or domain is disabled",
        "user suspended",
        "vdelivermail: account is locked email bounced",
    ),
    "systemerror": (
        "aliasing/forwarding loop broken",
        "can't create user output file",
        "could not load drd for domain",
        "internal error reading data",
        "internal server error: operation now in progress",
        "interrupted system call",
        "it encountered an error while being processed",
        "it would create a mail loop",
        "local configuration error",
        "local error in processing",
        "loop was found in the mail exchanger",
        "loops back to myself",
        "mail system configuration error",
        "queue file write error",
        "recipient deferred because there is no mdb",
        "remote server is misconfigured",
        "server configuration error",
        "service currently unavailable",
        "system config error",
        "temporary local problem",
        "timeout waiting for input",
        "transaction failed ",
        ("unable to connect ", "daemon"),
    ),
    "systemfull": (
        "mail system full",
        "requested mail action aborted: exceeded storage allocation",
    ),
    "toomanyconn": (
        "all available ips are at maximum connection limit",
        "connection rate limit exceeded",
        "exceeds per-domain connection limit for",
        "has exceeded the max emails per hour ",
        "throttling failure: daily message quota exceeded",
        "throttling failure: maximum sending rate exceeded",
        "too many connections",
        "too many concurrent smtp connections",
        "too many errors from your ip",
        "too many recipients",
        "too many smtp sessions for this host",
        "trop de connexions, ",
        "we have already made numerous attempts to deliver this message",
    ),
    "userunknown": (
        "#5.1.1 bad address",
        "550 address invalid",
        "5.1.0 address rejected.",
        "address does not exist",
        "address not present in directory",
        "address unknown",
        "can't accept user",
        "does not exist.",
        "destination addresses were unknown",
        "destination server rejected recipients",
        "email address does not exist",
        "email address could not be found",
        "invalid address",
        "invalid mailbox",
        "invalid recipient",
        "is not a known user",
        "is not a valid mailbox",
        "is not an active address at this host",
        "mailbox does not exist",
        "mailbox invalid",
        "mailbox is inactive",
        "mailbox is unavailable",
        "mailbox not present",
        "mailbox not found",
        "mailbox unavaiable",
        "nessun utente simile in questo indirizzo",
        "no account by that name here",
        "no existe dicha persona",
        "no existe ese usuario ",
        "no mail box available for this user",
        "no mailbox by that name is currently available",
        "no mailbox found",
        "no such address here",
        "no such mailbox",
        "no such person at this address",
        "no such recipient",
        "no such user",
        "no thank you rejected: account unavailable",
        "no valid recipients, bye",
        "not a valid recipient",
        "not a valid user here",
        "not a local address",
        "not email addresses",
        "recipient address rejected. (in reply to rcpt to command)",
        "recipient address rejected: access denied",
        "recipient address rejected: invalid user",
        "recipient address rejected: invalid-recipient",
        "recipient address rejected: unknown user",
        "recipient address rejected: userunknown",
        "recipient does not exist",
        "recipient is not accepted",
        "recipient is not local",
        "recipient not exist",
        "recipient not found",
        "recipient not ok",
        "recipient refuses to accept your mail",
        "recipient unknown",
        "requested action not taken: mailbox unavailable",
        "resolver.adr.recipient notfound",
        "resolver.adr.recipientnotfound",
        "sorry, user unknown",
        "sorry, badrcptto",
        "sorry, no mailbox here by that name",
        "sorry, your envelope recipient has been denied",
        "that domain or user isn't in my list of allowed rcpthosts",
        "the email account that you tried to reach does not exist",
        "the following recipients was undeliverable",
        "the user's email name is not found",
        "there is no one at this address",
        "this address no longer accepts mail",
        "this email address is wrong or no longer valid",
        "this recipient is in my badrecipientto list",
        "this recipient is not in my validrcptto list",
        "this spectator does not exist",
        "unknown mailbox",
        "unknown recipient",
        "unknown user",
        "user does not exist",
        "user missing home directory",
        "user not active",
        "user not exist",
        "user not found",
        "user not known",
        "user unknown",
        "utilisateur inconnu !",
        "vdeliver: invalid or unknown virtual user",
        "weil die adresse nicht gefunden wurde oder keine e-mails empfangen kann",
        "your envelope recipient is in my badrcptto list",
        ("<", "> not found"),
        ("<", ">... blocked by "),
        ("account ", " does not exist at the organization"),
        ("bad", "recipient"),
        ("mailbox ", "does not exist"),
        ("mailbox ", "unavailable or access denied"),
        ("no ", " in name directory"),
        ("non", "existent user"),
        ("rcpt <", " does not exist"),
        ("rcpt (", "t exist "),
        ("recipient ", " was not found in"),
        ("recipient address rejected: user ", "  does not exist"),
        ("recipient address rejected: user unknown in ", "  table"),
        ("said: 550", "5.1.1 ", " user unknown "),
        ("this user doesn't have a ", " account"),
        ("unknown e", "mail address"),
        ("unknown local", "part"),
        ("user ", " was not found"),
        ("user ", " does not exist"),
        ("user (", ") unknown"),
    ),
    "vacation": (
        "i am away on vacation",
        "i am away until",
        "i am out of the office",
        "i will be traveling for work on",
    ),
    "virusdetected": (
        "it has a potentially executable attachment",
        "the message was rejected because it contains prohibited virus or spam content",
        "this form of attachment has been used by recent viruses or other malware",
        "virus detected",
        "virus phishing/malicious_url detected",
        "your message was infected with a virus",
    ),
}


def _in_order(text: str, fragments: tuple[str, ...]) -> bool:
    position = 0
    for fragment in fragments:
        found = text.find(fragment, position)
        if found < 0:
            return False
        position = found + len(fragment)
    return True


def says(reason: str, text: str) -> bool:
    """Whether `text` (lower case, spaces squeezed) carries one of `reason`'s wordings."""
    if not text:
        return False
    for fragment in _WORDS.get(reason, ()):
        if isinstance(fragment, str):
            if fragment in text:
                return not (reason == "rejected" and _not_the_sender(text))
        elif _in_order(text, fragment):
            return True
    return False


def _not_the_sender(text: str) -> bool:
    # "Recipient address rejected" is about the recipient, not the envelope sender.
    return any(
        phrase in text
        for phrase in (
            "5.1.0 address rejected",
            "recipient address rejected",
            "sender ip address rejected",
        )
    )


# --- The decision ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Evidence:
    """What a report says about one recipient."""

    diagnostic: str
    status: str = ""
    reply_code: str = ""
    # The SMTP command the remote server refused (CONN, EHLO, HELO, MAIL, RCPT, DATA) or "".
    command: str = ""
    # The Diagnostic-Code type ("SMTP", "X-UNIX", "X-POSTFIX") or "" when not given.
    diagnostic_type: str = ""
    action: str = ""
    # The reason the report's own format gives (an MTA's fixed wording, a provider's type).
    stated: str = ""

    @property
    def words(self) -> str:
        return " ".join(self.diagnostic.lower().split())


def _is_explicit(reason: str) -> bool:
    return reason not in ("", "undefined", "onhold")


def _probe_userunknown(ev: Evidence, text: str, named: str) -> bool:
    if named == "userunknown":
        # A 5.1.1 whose words say something more precise is that something.
        others = ("norelaying", "blocked", "mailboxfull", "hasmoved", "rejected", "notaccept")
        return not any(says(other, text) for other in others)
    return ev.command == "RCPT" and says("userunknown", text)


def _probe_filtered(ev: Evidence, text: str, named: str) -> bool:
    if named == "filtered":
        return says("userunknown", text) or says("filtered", text)
    if ev.command in BEFORE_DATA:
        return False
    # "User unknown" not said at RCPT may come from a filter after DATA: not proof of a
    # missing mailbox (sisimai's Filtered).
    return says("filtered", text) or says("userunknown", text)


def _probe_rejected(ev: Evidence, text: str, named: str) -> bool:
    if named == "rejected":
        return True
    if ev.command == "MAIL":
        return says("rejected", text)
    if ev.command == "DATA" and named != "userunknown":
        return says("rejected", text)
    if not _is_explicit(named) or named in ("securityerror", "systemerror"):
        return says("rejected", text)
    return False


def _probe_hostunknown(ev: Evidence, text: str, named: str) -> bool:
    if named == "hostunknown":
        # A DNS failure on the way is the network's fault, not the domain's.
        return not says("networkerror", text)
    return says("hostunknown", text)


def _probe_spamdetected(ev: Evidence, text: str, named: str) -> bool:
    if not ev.status:
        return False
    if named == "spamdetected":
        return True
    if ev.command in BEFORE_DATA:
        return False  # the content had not been sent yet
    return says("spamdetected", text)


def _probe_mesgtoobig(ev: Evidence, text: str, named: str) -> bool:
    if named == "mesgtoobig":
        return True
    if named == "exceedlimit" or ev.status == "5.2.3":
        return False
    return says("mesgtoobig", text)


def _probe_norelaying(ev: Evidence, text: str, named: str) -> bool:
    if ev.command in ("CONN", "EHLO", "HELO"):
        return False
    return says("norelaying", text)


def _probe_suspend(ev: Evidence, text: str, named: str) -> bool:
    return ev.reply_code == "525" or says("suspend", text)


def _probe_contenterror(ev: Evidence, text: str, named: str) -> bool:
    if _probe_spamdetected(ev, text, named):
        return False
    return named == "contenterror" or says("contenterror", text)


def _by_status_or_words(reason: str, *, needs_status: bool = False) -> Callable[..., bool]:
    def probe(ev: Evidence, text: str, named: str) -> bool:
        if needs_status and not ev.status:
            return False
        return named == reason or says(reason, text)

    return probe


def _by_words(reason: str, *, needs_status: bool = False) -> Callable[..., bool]:
    def probe(ev: Evidence, text: str, named: str) -> bool:
        if needs_status and not ev.status:
            return False
        return says(reason, text)

    return probe


_PROBED: tuple[tuple[str, Callable[[Evidence, str, str], bool]], ...] = (
    ("mailboxfull", _by_status_or_words("mailboxfull")),
    ("mesgtoobig", _probe_mesgtoobig),
    ("exceedlimit", _by_status_or_words("exceedlimit")),
    ("suspend", _probe_suspend),
    ("hasmoved", _by_words("hasmoved")),
    ("norelaying", _probe_norelaying),
    ("authfailure", _by_status_or_words("authfailure")),
    ("userunknown", _probe_userunknown),
    ("filtered", _probe_filtered),
    ("requireptr", _by_status_or_words("requireptr")),
    ("notcompliantrfc", _by_words("notcompliantrfc")),
    ("badreputation", _by_words("badreputation", needs_status=True)),
    ("rejected", _probe_rejected),
    ("contenterror", _probe_contenterror),
    ("hostunknown", _probe_hostunknown),
    ("spamdetected", _probe_spamdetected),
    ("speeding", _by_words("speeding", needs_status=True)),
    ("toomanyconn", _by_status_or_words("toomanyconn")),
    ("blocked", _by_status_or_words("blocked")),
)
# Reasons recognised by their words alone once the probes said nothing.
_WORDED = (
    "mailboxfull",
    "authfailure",
    "badreputation",
    "speeding",
    "spamdetected",
    "virusdetected",
    "policyviolation",
    "norelaying",
    "systemerror",
    "networkerror",
    "suspend",
    "contenterror",
    "systemfull",
    "notaccept",
    "expired",
    "securityerror",
    "mailererror",
)
_SYNTAX_REPLY = re.compile(r"[45]0[0-7]")


def _another_one(ev: Evidence, text: str) -> str:
    if _is_explicit(ev.stated):
        return ev.stated
    named = status_reason(ev.status)
    if named and named not in RETRIED and ev.diagnostic_type == "SMTP":
        return named
    for reason in _WORDED:
        if says(reason, text):
            return reason
    if named:
        return named
    if ev.status[:3] in ("5.6", "4.6"):
        return "contenterror"
    if ev.status[:3] in ("5.7", "4.7"):
        return "securityerror"
    if ev.diagnostic_type.startswith("X-UNIX"):
        return "mailererror"
    if _SYNTAX_REPLY.fullmatch(ev.reply_code):
        return "syntaxerror"
    if ev.action in ("delayed", "expired"):
        return "expired"
    if ev.command in ("EHLO", "HELO"):
        return "blocked"
    return ""


def decide_reason(ev: Evidence) -> str:
    """The sisimai reason name for one failed recipient."""
    if ev.stated and ev.stated not in RETRIED:
        return ev.stated
    if ev.status.startswith("2."):
        return "delivered"
    text = ev.words
    named = status_reason(ev.status)
    if ev.diagnostic_type in ("SMTP", ""):
        for reason, probe in _PROBED:
            if ev.stated == reason or probe(ev, text, named):
                return reason
    reason = _another_one(ev, text)
    if reason and reason != "undefined":
        return reason
    if ev.action == "delayed":
        return "expired"
    if says("vacation", text):
        return "vacation"
    return "onhold" if text else "undefined"


# --- The SMTP command a refusal answered ------------------------------------------------------

_COMMAND_PATTERNS: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern, re.IGNORECASE), command)
    for pattern, command in (
        # Postfix: "(in reply to RCPT TO command)", "(in reply to end of DATA command)".
        (r"in reply to (?:the )?rcpt\b", "RCPT"),
        (r"in reply to (?:the )?mail\b", "MAIL"),
        (r"in reply to (?:the )?(?:end of )?data\b", "DATA"),
        (r"in reply to (?:the )?(ehlo|helo)\b", "EHLO"),
        (r"in reply to (?:the )?(?:initial )?(?:greeting|connect)", "CONN"),
        # Exim: "SMTP error from remote mail server after RCPT TO:<...>".
        (r"(?:smtp|lmtp) error (?:from remote (?:mail server|mailer) )?after rcpt\b", "RCPT"),
        (r"(?:smtp|lmtp) error (?:from remote (?:mail server|mailer) )?after mail\b", "MAIL"),
        (r"(?:smtp|lmtp) error (?:from remote (?:mail server|mailer) )?after (?:end of )?data\b",
         "DATA"),
        (r"(?:smtp|lmtp) error (?:from remote (?:mail server|mailer) )?after (ehlo|helo)\b",
         "EHLO"),
        (r"smtp error from remote (?:mail server|mailer) after initial connection", "CONN"),
        # Sendmail: ">>> RCPT To:<...>" echoed before the reply.
        (r">>> rcpt\b", "RCPT"),
        (r">>> mail\b", "MAIL"),
        (r">>> data\b", "DATA"),
        (r">>> (?:ehlo|helo)\b", "EHLO"),
        # qmail-remote's fixed wording.
        (r"does not like recipient\b", "RCPT"),
        (r"but sender was rejected", "MAIL"),
        (r"but my name was rejected", "EHLO"),
        (r"but greeting failed", "CONN"),
        (r"failed on data command|failed after i sent the message", "DATA"),
        # Others: "did not like our RCPT TO", "rejected after RCPT", "after end of data".
        (r"(?:did not like|refused|rejected)(?: our| the| at| after)? rcpt\b", "RCPT"),
        (r"(?:did not like|refused|rejected)(?: our| the| at| after)? mail from\b", "MAIL"),
        (r"\bafter (?:the )?rcpt to\b", "RCPT"),
        (r"\bafter (?:the )?mail from\b", "MAIL"),
        (r"\bafter end of data\b", "DATA"),
    )
)


def find_command(text: str) -> str:
    """The SMTP command a diagnostic says was refused, or ""."""
    for pattern, command in _COMMAND_PATTERNS:
        if pattern.search(text):
            return command
    return ""


# --- What a mail system's own fixed wording states ---------------------------------------------
# Some MTAs and services write a fixed sentence per failure: it names the reason better than
# the generic wordings above. Fragments are compared in lower case.

_MTA_WORDINGS: dict[str, tuple[tuple[str, tuple[str, ...]], ...]] = {
    # qmail-remote.c, qmail-local.c, qmail-send.c and the qmail-ldap patch.
    "qmail": (
        ("userunknown", ("no mailbox here by that name", "does not like recipient.")),
        ("mailboxfull", ("disk quota exceeded",)),
        ("mesgtoobig", ("message size exceeds fixed maximum message size:",)),
        ("hostunknown", ("sorry, i couldn't find any host ",)),
        ("notaccept", ("sorry, i couldn't find a mail exchanger or ip address",)),
        (
            "systemfull",
            ("requested action not taken: mailbox unavailable (not enough free space)",),
        ),
        (
            "networkerror",
            (
                "sorry, i wasn't able to establish an smtp connection",
                "sorry. although i'm listed as a best-preference mx or a for that host",
            ),
        ),
        (
            "suspend",
            (
                "mailaddress is administratively disabled",
                "mailaddress is administrativley disabled",
            ),
        ),
        ("exceedlimit", ("the message exeeded the maximum size the user accepts",)),
        (
            "systemerror",
            (
                "automatic homedir creator crashed",
                "illegal value in ldap attribute",
                "ldap attribute is not given but mandatory",
                "timeout while performing search on ldap server",
                "too many results returned but needs to be unique",
                "permanent error while executing qmail-forward",
                "temporary error in automatic homedir creation",
                "temporary error while executing qmail-forward",
                "temporary failure in ldap lookup",
                "unable to contact ldap server",
                "unable to login into ldap server, bad credentials",
                "bad interpreter: no such file or directory",
                "system error",
            ),
        ),
        ("expired", ("this message has been in the queue too long.",)),
    ),
    # exim's deliver.c, route.c, transports/*.c, parser.c, retry.c.
    "exim": (
        ("userunknown", ("user not found",)),
        (
            "hostunknown",
            (
                "all host address lookups failed permanently",
                "all relevant mx records point to non-existent hosts",
                "unrouteable address",
            ),
        ),
        ("mailboxfull", ("mailbox is full", "error: quota exceed")),
        (
            "notaccept",
            (
                "an mx or srv record indicated no smtp service",
                "no host found for existing smtp connection",
            ),
        ),
        (
            "syntaxerror",
            (
                "angle-brackets nested too deep",
                'expected word or "<"',
                "domain missing in source-routed address",
                "malformed address:",
            ),
        ),
        (
            "systemerror",
            (
                "delivery to file forbidden",
                "delivery to pipe forbidden",
                "local delivery failed",
                "lmtp error after ",
            ),
        ),
        ("contenterror", ('too many "received" headers',)),
        (
            "expired",
            (
                "retry timeout exceeded",
                "no action is required on your part",
                "retry time not reached for any host after a long failure period",
                "all hosts have been failing for a long time and were last tried",
                "delay reason: ",
                "has been frozen",
                "was frozen on arrival by ",
            ),
        ),
    ),
    # Progress iMail Server.
    "imailserver": (
        ("hostunknown", ("unknown host",)),
        ("userunknown", ("unknown user", "invalid final delivery userid")),
        ("mailboxfull", ("user mailbox exceeds allowed size",)),
        ("virusdetected", ("requested action not taken: virus detected",)),
        ("spamdetected", ("blacklisted url in message",)),
        ("expired", ("delivery failed ",)),
    ),
    # HCL (Lotus) Domino.
    "domino": (
        ("filtered", ("cannot route mail to user",)),
        ("systemerror", ("several matches found in domino directory",)),
        (
            "userunknown",
            (
                "not listed in domino directory",
                "not listed in public name & address book",
                "no se encuentra en el directorio de domino",
                "non répertorié dans l'annuaire domino",
            ),
        ),
    ),
    # OpenSMTPD's smtpd/queue.c and smtpd/mta.c.
    "opensmtpd": (
        ("expired", ("envelope expired",)),
        ("securityerror", ("could not retrieve credentials",)),
        ("hostunknown", ("invalid domain name", "domain does not exist")),
        (
            "networkerror",
            (
                "address family mismatch on destination mxs",
                "all routes to destination blocked",
                "bad dns lookup error code",
                "could not retrieve source address",
                "loop detected",
                "network error on destination mxs",
                "no valid route to remote mx",
                "no valid route to destination",
                "temporary failure in mx lookup",
            ),
        ),
        ("notaccept", ("no mx found for domain", "no mx found for destination")),
    ),
    # Gmail's older reports ("Delivery to the following recipient failed permanently").
    "gmail": (
        (
            "expired",
            (
                "dns error: could not contact dns servers",
                "delivery to the following recipient has been delayed",
                "the recipient server did not accept our requests to connect",
            ),
        ),
        (
            "hostunknown",
            (
                "dns error: domain name not found",
                "dns error: dns server returned answer with no data",
            ),
        ),
    ),
    # Courier MTA's module.esmtp/esmtpclient.c.
    "courier": (
        ("hostunknown", ("no such domain.",)),
        ("systemerror", ("this domain's dns violates rfc 1035.",)),
        ("networkerror", ("dns lookup failed.",)),
    ),
    # Sun/Oracle Messaging Server (PMDF).
    "messagingserver": (("hostunknown", ("illegal host/domain name found",)),),
    # AOL's own MTA (X-AOL-IP).
    "aol": (
        ("hostunknown", ("host or domain name not found",)),
        ("notaccept", ("type=mx: malformed or unexpected name server reply",)),
    ),
    # Amazon SES, sending and receiving.
    "amazonses": (
        ("expired", ("delivery expired",)),
        ("contenterror", ("message content rejected",)),
    ),
    # au (KDDI) / EZweb mail servers.
    "au": (
        ("expired", ("your message was not delivered within ",)),
        ("mailboxfull", ("the user(s) account is temporarily over quota",)),
        (
            "suspend",
            ("the user(s) account is disabled.", "the user(s) account is temporarily limited."),
        ),
        ("onhold", ("each of the following recipients was rejected by a remote mail server",)),
        # au's other layout ("Your mail sent on: ... Could not be delivered to: <...>").
        ("mailboxfull", ("as their mailbox is full",)),
        ("norelaying", ("due to the following smtp relay error",)),
        ("hostunknown", ("as the remote domain doesnt exist",)),
    ),
    # Verizon Wireless (vtext.com, vzwpix.com).
    "verizon": (
        (
            "userunknown",
            ("550 - requested action not taken: no such user here", "no valid recipients"),
        ),
    ),
    # HCL (Lotus) Notes.
    "notes": (
        ("networkerror", ("message has exceeded maximum hop count",)),
        ("userunknown", ("user not listed in public name & address book",)),
    ),
}

# Large services' documented wordings, whoever relays them (Microsoft, Google, AOL, Apple).
_SERVICE_WORDINGS: tuple[tuple[str, tuple[str, ...]], ...] = (
    # Microsoft Exchange 2007 and later: the NDR's enhanced code name ("#550 5.1.1
    # RESOLVER.ADR.RecipNotFound; not found ##").
    ("hostunknown", ("smtpsend.dns.nonexistentdomain",)),
    ("networkerror", ("smtpsend.dns.mxloopback",)),
    (
        "systemerror",
        ("resolver.adr.badprimary", "resolver.adr.invalidinsmtp", "resolver.adr.ambiguous"),
    ),
    ("userunknown", ("resolver.adr.exrecipnotfound",)),
    ("toomanyconn", ("resolver.adr.reciplimit",)),
    ("securityerror", ("resolver.rst.authrequired",)),
    ("rejected", ("resolver.rst.notauthorized",)),
    ("exceedlimit", ("resolver.rst.recipsizelimit",)),
    ("expired", ("queue.expired",)),
    (
        "userunknown",
        (
            "requested action not taken: mailbox unavailable",
            "resolver.adr.recipientnotfound",
            "resolver.adr.recipnotfound",
            "the email account that you tried to reach does not exist",
            # Gmail / Google Workspace: "** Address not found **".
            "because the address couldn't be found, or is unable to receive mail",
        ),
    ),
    (
        "hostunknown",
        ("the mail could not be delivered to the recipient because the domain is not reachable",),
    ),
    ("suspend", ("the email account that you tried to reach is disabled",)),
    ("mailboxfull", ("the email account that you tried to reach is over quota",)),

    (
        "authfailure",
        (
            "does not pass dmarc verification",
            "must pass either spf or dkim validation",
            "the message was rejected because of sender policy framework violation",
            "is not accepted due to domain's dmarc policy",
            "fails to pass spf checks for an spf record with a hard fail",
            "has an spf record with a hard fail policy",
            "fails to pass authentication checks",
            "senders to authenticate with either spf or dkim",
            "the spf record of the sending domain",
        ),
    ),
    (
        "badreputation",
        (
            "has been temporarily rate limited due to ip reputation",
            "very low reputation of the sending ip address",
            "very low reputation of the sending domain",
        ),
    ),
    (
        "blocked",
        (
            "access denied, banned sending ip ",
            "access denied, banned sender",
            "access denied, bad helo",
            "access denied, rejected by recipient",
            "using customer block list",
            "ip not in whitelist for rcpt domain",
            "an unusual rate of unsolicited mail",
        ),
    ),
    ("mailboxfull", ("inbox is out of storage space",)),
    # Google (support.google.com/a/answer/3726730).
    (
        "norelaying",
        (
            "is not authorized to send email directly to our servers",
            "invalid credentials for relay",
        ),
    ),
    (
        "notcompliantrfc",
        (
            "missing a valid address in the from: header",
            "multiple addresses in from: header are not accepted",
            "is not rfc 5322 compliant",
            "missing a valid message-id: header",
            "contains a unicode character in a disallowed header",
            "encoded-word syntax is not permitted",
            "is not a valid rfc 5321 address",
            "mail message is malformed",
        ),
    ),
    (
        "policyviolation",
        (
            "blocked because its content presents a potential security issue",
            "you are sending to (or from) has a policy that prohibited",
            "sending messages with the same message-id:",
        ),
    ),
    ("rejected", ("mail sending denied", "unauthenticated email is not accepted")),
    (
        "requireptr",
        (
            "does not have a ptr record",
            " have a ptr record, or the ptr record",
            "does not meet ipv6 sending guidelines regarding ptr records",
            "does not match the ip address of the hostname",
        ),
    ),
    (
        "securityerror",
        (
            "too many login attempts",
            "application-specific password required",
            "please log in with your web browser",
            "please log in through your web browser",
            "username and password not accepted",
        ),
    ),
    (
        "spamdetected",
        ("due to the nature of the content or the links within", "likely unsolicited mail"),
    ),
    (
        "speeding",
        (
            "is receiving mail too quickly",
            "peak smtp relay limit exceeded for customer",
            "daily smtp relay limit exceeded for",
            "daily user sending limit exceeded",
            "daily sending quota exceeded",
            "this mail has been rate limited",
        ),
    ),
    (
        "toomanyconn",
        ("your message has too many recipients", "too many recipients for this sender"),
    ),
    (
        "systemerror",
        ("temporary system problem", "multiple destination domains per transaction is unsupported"),
    ),
    # Yahoo Inc (yahoo.com, aol.com), senders.yahooinc.com/smtp-error-codes.
    ("authfailure", ("yahoo requires all senders to authenticate with either spf or dkim",)),
    (
        "blocked",
        (
            " because the ip is in spamhaus's list;",
            "not accepted from ip addresses on spamhaus xbl",
        ),
    ),
    ("norelaying", ("relaying denied for ",)),
    ("notcompliantrfc", ("headers are not rfc compliant",)),
    (
        "rejected",
        (
            "temporarily deferred due to unexpected volume or user complaints",
            "due to unresolvable rfc.5321 domain",
            " will be permanently deferred",
        ),
    ),
    ("speeding", ("user is receiving mail too quickly",)),
    ("suspend", (" is no longer valid.",)),
    ("toomanyconn", ("max message per connection reached",)),
    ("userunknown", ("dd this user doesn't have a ",)),
    (
        "mesgtoobig",
        ("exceeded google's message size limits", "exceeds google's message size limit of"),
    ),
    ("failedstarttls", ("must issue a starttls command first", "tls required for rcpt domain")),
    ("norelaying", ("mail relay denied",)),
    ("networkerror", ("message exceeded 50 hops",)),
)


# PowerMTA's X-PowerMTA-BounceCategory field, per recipient.
POWERMTA_CATEGORIES = {
    "bad-domain": "hostunknown",
    "bad-mailbox": "userunknown",
    "inactive-mailbox": "suspend",
    "message-expired": "expired",
    "no-answer-from-host": "networkerror",
    "policy-related": "policyviolation",
    "quota-issues": "mailboxfull",
    "routing-errors": "systemerror",
    "spam-related": "spamdetected",
}


# Microsoft Exchange 2003's "MSEXCH:IMS:... (000C05A6) Unknown Recipient" codes.
_MSEXCH_CODES = {
    "000C05A6": "userunknown",
    "000C0595": "filtered",
    "00010256": "systemerror",
    "000D06B5": "systemerror",
    "00120270": "networkerror",
    "00050311": "contenterror",
    "000502CC": "contenterror",
    "000B0981": "securityerror",
    "000B099C": "onhold",
    "000B09AA": "onhold",
    "000B09B6": "onhold",
}
_MSEXCH = re.compile(r"MSEXCH:.*?\(([0-9A-F]{8})\)", re.IGNORECASE)


def msexch_reason(text: str) -> str:
    """The reason an Exchange 2003 MSEXCH error code names, or ""."""
    match = _MSEXCH.search(text)
    return _MSEXCH_CODES.get(match.group(1).upper(), "") if match else ""


# Gmail's older reports end the remote server's reply with "(state N)": the SMTP stage.
GMAIL_STATES = {
    "6": ("MAIL", "failedstarttls"),
    "8": ("AUTH", "systemerror"),
    "9": ("AUTH", "failedstarttls"),
    "12": ("AUTH", "norelaying"),
    "13": ("EHLO", "blocked"),
    "14": ("RCPT", "userunknown"),
    "15": ("DATA", "filtered"),
    "17": ("DATA", "filtered"),
    "18": ("DATA", "filtered"),
}
_GMAIL_STATE = re.compile(r"\(state (\d+)\)")


def gmail_state(text: str) -> tuple[str, str]:
    """The (command, reason) a Gmail "(state N)" names, or ("", "")."""
    match = _GMAIL_STATE.search(text)
    return GMAIL_STATES.get(match.group(1), ("", "")) if match else ("", "")


# Orange / La Poste (France Télécom): "OFR_416", "LPN007_420", "OUK_513" error labels.
_FRANCEPTT_CODES = {
    "101": "blocked",
    "102": "blocked",
    "103": "blocked",
    "104": "toomanyconn",
    "305": "securityerror",
    "401": "authfailure",
    "402": "securityerror",
    "403": "rejected",
    "405": "rejected",
    "415": "rejected",
    "416": "userunknown",
    "417": "mailboxfull",
    "420": "suspend",
    "421": "rejected",
    "426": "suspend",
    "505": "systemerror",
    "506": "spamdetected",
    "510": "blocked",
    "514": "mesgtoobig",
    "517": "authfailure",
    "630": "policyviolation",
    "999": "blocked",
}
_FRANCEPTT_LABEL = re.compile(r"\b(?:lpnaaa|lpn|ofr|ouk)\d*[_-](\d{3})\b")


# Cox ("AUP#CXBL"), GoDaddy ("IB401") and i.ua ("mail.i.ua/err/2/") error codes.
_COX_CODES = {
    "cxbl": "blocked",
    "cxdns": "requireptr",
    "cxsndr": "authfailure",
    "cxsmtp": "rejected",
    "cxcnct": "toomanyconn",
    "cxmxrt": "toomanyconn",
    "cdrbl": "blocked",
    "cxthrt": "securityerror",
    "cxmj": "securityerror",
}
_GODADDY_CODES = {
    "401": "securityerror",
    "501": "notcompliantrfc",
    "502": "notcompliantrfc",
    "506": "rejected",
    "508": "authfailure",
    "108": "requireptr",
    "212": "spamdetected",
    "705": "virusdetected",
    "605": "toomanyconn",
    "007": "toomanyconn",
    "101": "speeding",
    "110": "blocked",
    "111": "blocked",
    "112": "blocked",
    "113": "blocked",
    "504": "speeding",
    "510": "speeding",
    "607": "speeding",
    "103": "badreputation",
    "104": "blocked",
    "105": "blocked",
    "106": "blocked",
}
_IUA_CODES = {
    "1": "norelaying",
    "2": "userunknown",
    "3": "suspend",
    "4": "mailboxfull",
    "5": "toomanyconn",
    "6": "norelaying",
    "7": "blocked",
    "8": "rejected",
    "9": "blocked",
    "10": "filtered",
}
_COX = re.compile(r"aup#(\w+)")
_GODADDY = re.compile(r"\bib(\d{3})\b")
_IUA = re.compile(r"\.i\.ua/err/(\d+)/")


def _service_code(text: str) -> str:
    if (cox := _COX.search(text)) and (code := cox.group(1)):
        if code.startswith(("ipbl", "cxbl", "cdrbl")):
            return "blocked"
        if code.startswith("urlbl"):
            return "spamdetected"
        if code in _COX_CODES:
            return _COX_CODES[code]
    if (godaddy := _GODADDY.search(text)) and godaddy.group(1) in _GODADDY_CODES:
        return _GODADDY_CODES[godaddy.group(1)]
    if iua := _IUA.search(text):
        return _IUA_CODES.get(iua.group(1), "")
    label = _FRANCEPTT_LABEL.search(text)
    if label and _FRANCEPTT_CODES.get(label.group(1)):
        return _FRANCEPTT_CODES[label.group(1)]
    return ""


def stated_by_wording(text: str, mta: str = "") -> str:
    """The reason a mail system's fixed wording states in `text` (lower case), or ""."""
    if code := _service_code(text):
        return code
    if "spf/dns de votre nom de domaine" in text:
        return "authfailure"
    for reason, fragments in _MTA_WORDINGS.get(mta, ()):
        if any(fragment in text for fragment in fragments):
            return reason
    for reason, fragments in _SERVICE_WORDINGS:
        if any(fragment in text for fragment in fragments):
            return reason
    return ""


def prefer_status(field: str, in_text: str, reply_code: str = "") -> str:
    """Which of the report's Status: field and the code the remote server wrote in its reply
    to keep (the rules sisimai documents for its Prefer()): the one whose class agrees with
    the SMTP reply code, else the more specific one; generic or ambiguous field values
    (X.0.0, X.Y.0, 4.4.7 "gave up", 4.7.0, 5.3.x, X.5.{1,2,4,5}) give way to the reply's."""
    if not field or len(field) < 5:
        return in_text or field
    if not in_text or len(in_text) < 5 or in_text == field:
        return field
    if reply_code and field[0] != in_text[0]:
        if reply_code[0] == field[0]:
            return field
        if reply_code[0] == in_text[0]:
            return in_text
    if ".0.0" in field:
        return field if ".0.0" in in_text else in_text
    if ".0" in field and ".0" not in in_text:
        return in_text
    if ".0.0" in in_text:
        return field
    if field in ("4.4.7", "4.7.0") or field.startswith("5.3."):
        return in_text
    if any(field.find(detail) == 1 for detail in (".5.1", ".5.2", ".5.4", ".5.5")):
        return in_text
    if field == "5.1.1":
        return field if ".0" in in_text or in_text.startswith("5.5.") else in_text
    if field == "5.1.3" and in_text.startswith("5.7."):
        return in_text
    return field


# --- Microsoft (Exchange Online, Outlook.com): its documented status + sentence pairs --------
# learn.microsoft.com "Email non-delivery reports and SMTP errors in Exchange Online": the same
# sentence means different things under different codes, so each entry names its code (or a
# range of the last number: ("5.7.", 606, 649)).

StatusSpec = str | tuple[str, int, int]

_MICROSOFT: tuple[tuple[str, StatusSpec, str], ...] = (
    ("authfailure", "4.7.26", "must pass either spf or dkim validation"),
    ("authfailure", "5.7.23", "rejected because of sender policy framework violation"),
    ("authfailure", "5.7.509", "does not pass dmarc verification"),
    ("authfailure", "5.7.515", "doesn't meet the required authentication level"),
    ("badreputation", "4.7.650", "has been temporarily rate limited due to ip reputation"),
    ("blocked", "4.4.2", "connection dropped"),
    ("blocked", ("4.7.", 850, 899), "access denied, please try again later"),
    ("blocked", "5.7.25", "must have a reverse dns record"),
    ("blocked", "5.7.506", "access denied, bad helo"),
    ("blocked", "5.7.507", "access denied, rejected by recipient"),
    ("blocked", "5.7.510", "does not accept email over ipv6"),
    ("blocked", "5.7.511", "access denied, banned sender"),
    ("blocked", "5.7.513", "using customer block list"),
    ("blocked", ("5.7.", 606, 649), "access denied, banned sending ip "),
    ("blocked", ("4.7.", 500, 699), "access denied, please try again later"),
    ("blocked", "5.5.4", "invalid domain name"),
    ("blocked", "5.7.1", "part of their network is on our block list (s3150)"),
    ("contenterror", "5.3.0", "too many related errors"),
    ("contenterror", "5.6.11", "invalid characters"),
    ("contenterror", "5.4.11", "agent generated message depth exceeded"),
    ("contenterror", "5.5.6", "invalid message content"),
    ("expired", "4.4.1", "connection timed out"),
    ("expired", "4.4.7", "message delayed"),
    ("expired", "4.4.7", "message expired"),
    ("expired", "5.4.300", "message expired"),
    ("expired", "5.4.316", "message expired"),
    ("failedstarttls", "4.4.8", " failed mta-sts validation"),
    ("failedstarttls", "5.4.8", " failed mta-sts validation"),
    ("failedstarttls", "4.4.317", "starttls is required to send mail"),
    ("failedstarttls", "5.4.317", "starttls is required to send mail"),
    ("mailboxfull", "5.2.2", "mailbox full"),
    ("networkerror", "5.4.6", "hop count exceeded - possible mail loop"),
    ("networkerror", "4.4.312", "dns query failed"),
    ("networkerror", "5.4.312", "dns query failed"),
    ("networkerror", "4.4.316", "connection refused"),
    ("networkerror", "5.4.316", "connection refused"),
    ("networkerror", "5.4.4", "invalid arguments"),
    ("networkerror", "5.4.6", "routing loop detected"),
    ("networkerror", "5.4.14", "routing loop detected"),
    ("norelaying", "5.7.1", "unable to relay"),
    ("norelaying", "5.7.1", "client was not authenticated"),
    ("norelaying", "5.4.1", "relay access denied"),
    ("norelaying", "5.7.64", "tenantattribution; relay access denied"),
    ("norelaying", "5.4.310", "does not exist"),
    ("notaccept", "4.3.2", "system not accepting network messages"),
    ("notaccept", "4.4.4", "hosted tenant which has no mail-enabled subscriptions"),
    ("notaccept", "5.3.2", "storedrv.deliver: missing or bad storedriver mdb properties"),
    ("policyviolation", "5.0.350", "x-dg-ref header is too long"),
    ("policyviolation", "5.0.350", "requested action not taken: policy violation detected (as345)"),
    ("policyviolation", ("5.7.", 900, 999), "delivery not authorized, message refused"),
    ("rejected", "5.1.7", "invalid address"),
    ("rejected", "5.1.7", "unknown sender address"),
    ("rejected", "5.1.0", "sender denied"),
    ("rejected", "5.1.8", "access denied, bad outbound sender"),
    ("rejected", "5.7.1", "delivery not authorized"),
    ("rejected", "5.7.12", "sender was not authenticated by organization"),
    ("rejected", "5.7.124", "sender not in allowed-senders list"),
    ("rejected", "5.7.133", "sender not authenticated for group"),
    ("rejected", "5.7.134", "sender was not authenticated for mailbox"),
    ("rejected", "5.7.13", "sender was not authenticated for public folder"),
    ("rejected", "5.7.135", "sender was not authenticated for public folder"),
    ("rejected", "5.7.136", "sender was not authenticated"),
    ("rejected", ("5.7.", 501, 503), "access denied, spam abuse detected"),
    ("rejected", "5.7.512", "access denied, message must be rfc 5322 section 3.6.2 compliant"),
    ("securityerror", "5.7.3", "cannot achieve exchange server authentication"),
    ("securityerror", "5.7.3", "not authorized"),
    ("securityerror", "5.7.57", "client was not authenticated to send anonymous mail"),
    ("spamdetected", "5.2.1", "content filter agent quarantined this message"),
    ("toomanyconn", "5.5.3", "too many recipients"),
    ("toomanyconn", "4.3.2", "storedrv.deliver; recipient thread limit exceeded"),
    ("toomanyconn", "4.5.3", "too many recipients"),
    ("toomanyconn", "4.7.652", "has exceeded the maximum number of connections"),
    ("toomanyconn", "5.2.121", "recipient's per hour message receive limit"),
    ("toomanyconn", "5.2.122", "recipient's per hour message receive limit"),
    ("toomanyconn", "5.7.508", "has exceeded permitted limits within"),
    ("suspend", "5.7.504", "recipient address rejected: access denied"),
    ("suspend", "5.7.505", "access denied, banned recipient"),
    ("suspend", "5.2.1", "mailbox cannot be accessed"),
    ("syntaxerror", "5.3.3", "unrecognized command"),
    ("syntaxerror", "5.5.2", "send hello first"),
    ("systemerror", "4.3.2", "service not available"),
    ("systemerror", "4.3.2", "service not active"),
    ("systemerror", "5.3.5", "system incorrectly configured"),
    ("systemerror", "5.3.190", "when journaling archive is disabled"),
    ("systemerror", "5.1.4", "destination mailbox address ambiguous"),
    ("systemerror", "5.2.4", "mailing list expansion problem"),
    ("systemerror", "5.2.14", "misconfigured forwarding address"),
    ("systemerror", ("4.4.", 22, 28), "message failed to be replicated:"),
    ("systemerror", "4.4.318", "(suspiciousremoteservererror)"),
    ("systemerror", "5.4.318", "(suspiciousremoteservererror)"),
    ("systemerror", "4.7.500", "server busy. please try again later from "),
    ("systemfull", "4.3.1", "insufficient system resources"),
    ("userunknown", "5.1.1", "resolver.adr.exrecipnotfound; not found"),
    ("userunknown", "5.1.1", "user unknown"),
    ("userunknown", "5.1.1", "bad destination mailbox address"),
    ("userunknown", "5.1.3", "storedrv.submit; invalid recipient address"),
    ("userunknown", "5.1.6", "recipient addresses in single label domains not accepted"),
    ("userunknown", "5.1.10", "recipient not found"),
    ("userunknown", "5.4.1", "recipient address rejected: access denied"),
    ("userunknown", "5.5.0", "requested action not taken: mailbox unavailable"),
    ("userunknown", "5.1.351", "remote server returned unknown recipient or mailbox unavailable"),
)
MICROSOFT_HOSTS = (
    ".prod.outlook.com",
    ".protection.outlook.com",
    ".onmicrosoft.com",
    ".exchangelabs.com",
    ".hotmail.com",
    "outlook.com",
    "hotmail.com",
    "live.com",
    "msn.com",
)


def _status_fits(status: str, spec: StatusSpec) -> bool:
    if isinstance(spec, str):
        return status == spec
    prefix, low, high = spec
    if not status.startswith(prefix):
        return False
    last = status[len(prefix) :]
    return last.isdigit() and low <= int(last) <= high


def microsoft_reason(status: str, text: str) -> str:
    """The reason Microsoft documents for `status` and its sentence in `text` (lower case)."""
    if not status:
        return ""
    for reason, spec, sentence in _MICROSOFT:
        if sentence in text and _status_fits(status, spec):
            return reason
    return ""
