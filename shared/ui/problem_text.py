"""What a person reads for each problem code, in French and English.

The problem+json ``type`` and ``detail`` are for machines and stay in English in the JSON;
pages show :func:`problem_message` instead, so a French page never ends in English
technical text. ``tests/unit/shared/test_problem_text.py`` checks that every code in
``docs/problems.md`` has both messages and that the French ones hold no English word.
"""

from __future__ import annotations

from typing import NamedTuple

__all__ = ["PROBLEM_MESSAGES", "problem_message", "problem_title"]

NBSP = "\u00a0"  # French typography: before ":" "?" "!" ";"


class Message(NamedTuple):
    """A problem's heading and its sentence saying what to do, in one language."""

    title: str
    text: str


#: code -> {"en": ..., "fr": ...}
PROBLEM_MESSAGES: dict[str, dict[str, Message]] = {
    "context-not-allowed": {
        "en": Message(
            "Unknown vocabulary",
            "This badge uses a vocabulary Musette does not know, so it cannot be read safely.",
        ),
        "fr": Message(
            "Vocabulaire inconnu",
            f"Ce badge utilise un vocabulaire que Musette ne connaît pas{NBSP}; "
            "il ne peut pas être lu sans risque.",
        ),
    },
    "credential-blocked": {
        "en": Message(
            "Badge revoked or suspended",
            "Its issuer has revoked or suspended this badge, so it was not sent. "
            "Choose another badge or contact the issuer.",
        ),
        "fr": Message(
            "Badge révoqué ou suspendu",
            "Son émetteur a révoqué ou suspendu ce badge, il n'a donc pas été envoyé. "
            "Choisissez un autre badge ou contactez l'émetteur.",
        ),
    },
    "did-resolution": {
        "en": Message(
            "Issuer identity not found",
            "The identity of the issuer or the person could not be found. "
            "Try again later; if it lasts, contact the issuer.",
        ),
        "fr": Message(
            "Identité de l'émetteur introuvable",
            "L'identité de l'émetteur ou de la personne est introuvable. "
            f"Réessayez plus tard{NBSP}; si cela dure, contactez l'émetteur.",
        ),
    },
    "invalid-input": {
        "en": Message("Not accepted", "What was sent cannot be used. Check it and try again."),
        "fr": Message(
            "Refusé", "Ce qui a été envoyé ne peut pas être utilisé. Vérifiez-le et réessayez."
        ),
    },
    "invalid-presentation": {
        "en": Message(
            "Answer refused",
            "The recruiter's service refused the wallet's answer. Ask for a new request.",
        ),
        "fr": Message(
            "Réponse refusée",
            "Le service du recruteur a refusé la réponse du portefeuille. "
            "Demandez une nouvelle demande.",
        ),
    },
    "key-format": {
        "en": Message("Unreadable key", "A key in this document cannot be read."),
        "fr": Message("Clé illisible", "Une clé de ce document ne peut pas être lue."),
    },
    "malformed-credential": {
        "en": Message(
            "Unreadable badge",
            "This is not a badge Musette can read: the file or text may be damaged or incomplete.",
        ),
        "fr": Message(
            "Badge illisible",
            f"Musette ne peut pas lire ce badge{NBSP}: le fichier ou le texte est peut-être "
            "abîmé ou incomplet.",
        ),
    },
    "malformed-jwe": {
        "en": Message(
            "Unreadable file", "This file is not a Musette export, or it has been damaged."
        ),
        "fr": Message(
            "Fichier illisible", "Ce fichier n'est pas un export Musette, ou il a été abîmé."
        ),
    },
    "offer-refused": {
        "en": Message(
            "Offer not accepted",
            "This badge offer could not be used. Ask the organisation for a new one.",
        ),
        "fr": Message(
            "Offre non acceptée",
            "Cette offre de badge n'a pas pu être utilisée. "
            "Demandez-en une nouvelle à l'organisation.",
        ),
    },
    "offer-unknown": {
        "en": Message(
            "Unknown offer",
            "No badge offer has this link. Check that it was copied whole, "
            "or ask the organisation to send it again.",
        ),
        "fr": Message(
            "Offre inconnue",
            "Aucune offre de badge ne correspond à ce lien. Vérifiez qu'il a été copié en "
            "entier, ou demandez à l'organisation de vous le renvoyer.",
        ),
    },
    "offer-used": {
        "en": Message(
            "Offer already used",
            "This badge offer has already been accepted: the badge is in the wallet "
            "that accepted it. If that was not you, tell the organisation.",
        ),
        "fr": Message(
            "Offre déjà utilisée",
            f"Cette offre de badge a déjà été acceptée{NBSP}: le badge est dans le "
            "portefeuille qui l'a acceptée. Si ce n'était pas vous, prévenez l'organisation.",
        ),
    },
    "offer-expired": {
        "en": Message(
            "Offer expired",
            "This badge offer was not accepted in time. Ask the organisation for a new one.",
        ),
        "fr": Message(
            "Offre expirée",
            "Cette offre de badge n'a pas été acceptée à temps. "
            "Demandez-en une nouvelle à l'organisation.",
        ),
    },
    "tx-code-wrong": {
        "en": Message(
            "Wrong code",
            "The code does not match this offer. Type the code the organisation sent you.",
        ),
        "fr": Message(
            "Code erroné",
            "Le code ne correspond pas à cette offre. "
            "Saisissez le code que l'organisation vous a envoyé.",
        ),
    },
    "passphrase-iterations-refused": {
        "en": Message(
            "File not accepted", "This file's protection settings are not ones Musette accepts."
        ),
        "fr": Message(
            "Fichier refusé",
            "Les réglages de protection de ce fichier ne sont pas acceptés par Musette.",
        ),
    },
    "passphrase-required": {
        "en": Message("Passphrase needed", "This file is protected: type its passphrase."),
        "fr": Message(
            "Phrase secrète nécessaire",
            f"Ce fichier est protégé{NBSP}: saisissez sa phrase secrète.",
        ),
    },
    "passphrase-too-short": {
        "en": Message("Passphrase too short", "Choose a passphrase of at least 12 characters."),
        "fr": Message(
            "Phrase secrète trop courte", "Choisissez une phrase secrète d'au moins 12 caractères."
        ),
    },
    "request-refused": {
        "en": Message(
            "Request refused",
            "The wallet will not answer this request: it cannot tell for sure who is asking. "
            "Ask the recruiter for a new request.",
        ),
        "fr": Message(
            "Demande refusée",
            f"Le portefeuille ne répondra pas à cette demande{NBSP}: il ne peut pas savoir avec "
            "certitude qui la fait. Demandez au recruteur une nouvelle demande.",
        ),
    },
    "unsupported-algorithm": {
        "en": Message(
            "Signature not accepted", "This badge is signed in a way Musette does not accept."
        ),
        "fr": Message(
            "Signature refusée", "Ce badge est signé d'une manière que Musette n'accepte pas."
        ),
    },
    "unauthorized": {
        "en": Message("Please sign in", "Sign in first, then try again."),
        "fr": Message("Connectez-vous", "Connectez-vous d'abord, puis réessayez."),
    },
    "csrf-failed": {
        "en": Message(
            "Form expired or not valid",
            "This form has expired or did not come from this page. Reload the page and try again.",
        ),
        "fr": Message(
            "Formulaire expiré ou non valide",
            "Ce formulaire a expiré ou ne vient pas de cette page. Rechargez la page et réessayez.",
        ),
    },
    "forbidden": {
        "en": Message("Not allowed", "Your account may not do this."),
        "fr": Message("Non autorisé", "Votre compte ne permet pas de faire cela."),
    },
    "own-endorsement-request": {
        "en": Message(
            "This is your own experience",
            "A colleague must write the endorsement: send them the link.",
        ),
        "fr": Message(
            "C'est votre propre expérience",
            f"La recommandation doit venir d'un collègue{NBSP}: envoyez-lui le lien.",
        ),
    },
    "key-not-found": {
        "en": Message("Key not found", "The key needed for this is missing."),
        "fr": Message("Clé introuvable", "La clé nécessaire est introuvable."),
    },
    "not-found": {
        "en": Message(
            "Page not found", "Nothing here: it may have been deleted, or the link is wrong."
        ),
        "fr": Message(
            "Page introuvable",
            f"Rien ici{NBSP}: cela a peut-être été supprimé, ou le lien est erroné.",
        ),
    },
    "method-not-allowed": {
        "en": Message("Page not found", "This address cannot be used this way."),
        "fr": Message("Page introuvable", "Cette adresse ne s'utilise pas ainsi."),
    },
    "conflict": {
        "en": Message(
            "Already done", "This has already been done, or it clashes with what exists."
        ),
        "fr": Message("Déjà fait", "Cela a déjà été fait, ou entre en conflit avec l'existant."),
    },
    "endorsement-link-expired": {
        "en": Message(
            "Link expired", "This endorsement link has expired: ask the person for a new one."
        ),
        "fr": Message(
            "Lien expiré",
            f"Ce lien de recommandation a expiré{NBSP}: demandez-en un nouveau à la personne.",
        ),
    },
    "endorsement-link-revoked": {
        "en": Message("Link withdrawn", "The person has withdrawn this endorsement link."),
        "fr": Message("Lien retiré", "La personne a retiré ce lien de recommandation."),
    },
    "endorsement-link-used": {
        "en": Message(
            "Link already used",
            "This endorsement link has already been used: each link carries one endorsement.",
        ),
        "fr": Message(
            "Lien déjà utilisé",
            f"Ce lien de recommandation a déjà servi{NBSP}: chaque lien porte une seule "
            "recommandation.",
        ),
    },
    "not-an-endorsement": {
        "en": Message(
            "Not an endorsement",
            "This link accepts only an Open Badges 3.0 EndorsementCredential.",
        ),
        "fr": Message(
            "Ce n'est pas une recommandation",
            "Ce lien n'accepte qu'une recommandation Open Badges 3.0 (EndorsementCredential).",
        ),
    },
    "endorsement-other-subject": {
        "en": Message(
            "Endorsement about someone else",
            "The endorsement is not about the person or the credential the link asks about.",
        ),
        "fr": Message(
            "Recommandation sur quelqu'un d'autre",
            "La recommandation ne porte pas sur la personne ou le badge que le lien désigne.",
        ),
    },
    "endorsement-delivery-failed": {
        "en": Message(
            "Endorsement not delivered",
            "The person's wallet did not accept the endorsement: ask them for a new link.",
        ),
        "fr": Message(
            "Recommandation non remise",
            f"Le portefeuille de la personne n'a pas accepté la recommandation{NBSP}: "
            "demandez-lui un nouveau lien.",
        ),
    },
    "gone": {
        "en": Message(
            "No longer available", "This link no longer works: ask the person for a new one."
        ),
        "fr": Message(
            "Plus disponible",
            f"Ce lien ne fonctionne plus{NBSP}: demandez-en un nouveau à la personne.",
        ),
    },
    "request-gone": {
        "en": Message(
            "Request closed",
            "This request has already been answered or has expired: ask for a new one.",
        ),
        "fr": Message(
            "Demande close",
            f"Cette demande a déjà reçu une réponse ou a expiré{NBSP}: demandez-en une nouvelle.",
        ),
    },
    "csv-too-large": {
        "en": Message("File too large", "The CSV file is too large: split it into smaller ones."),
        "fr": Message(
            "Fichier trop volumineux",
            f"Le fichier CSV est trop volumineux{NBSP}: découpez-le en plusieurs fichiers.",
        ),
    },
    "payload-too-large": {
        "en": Message("Too large", "What was sent is larger than Musette accepts."),
        "fr": Message("Trop volumineux", "L'envoi dépasse la taille acceptée par Musette."),
    },
    "batch-rows-invalid": {
        "en": Message(
            "Some lines are not valid",
            "Nothing was issued. Correct the lines listed, then send the file again.",
        ),
        "fr": Message(
            "Certaines lignes sont incorrectes",
            "Rien n'a été délivré. Corrigez les lignes indiquées, puis envoyez de nouveau "
            "le fichier.",
        ),
    },
    "csv-unreadable": {
        "en": Message(
            "File cannot be read",
            "This file cannot be read as a table. Save it as CSV from the spreadsheet.",
        ),
        "fr": Message(
            "Fichier illisible",
            "Ce fichier ne peut pas être lu comme un tableau. "
            "Enregistrez-le au format CSV depuis le tableur.",
        ),
    },
    "invalid-proof": {
        "en": Message(
            "Signature does not match",
            "The signature does not match the content: the badge may have been altered.",
        ),
        "fr": Message(
            "Signature non conforme",
            f"La signature ne correspond pas au contenu{NBSP}: le badge a peut-être été modifié.",
        ),
    },
    "passphrase-decryption-failed": {
        "en": Message(
            "Wrong passphrase", "The passphrase does not open this file, or the file was altered."
        ),
        "fr": Message(
            "Phrase secrète erronée",
            "La phrase secrète n'ouvre pas ce fichier, ou le fichier a été modifié.",
        ),
    },
    "verification-failed": {
        "en": Message("Not verified", "A check failed: this badge cannot be trusted as it is."),
        "fr": Message(
            "Non vérifié",
            f"Une vérification a échoué{NBSP}: ce badge ne peut pas être cru tel quel.",
        ),
    },
    "rate-limited": {
        "en": Message(
            "Too many attempts", "Too many attempts in a short time. Wait, then try again."
        ),
        "fr": Message(
            "Trop de tentatives",
            "Trop de tentatives en peu de temps. Attendez, puis réessayez.",
        ),
    },
    "not-ready": {
        "en": Message("Service not ready", "The service is not ready yet. Try again in a moment."),
        "fr": Message(
            "Service indisponible", "Le service n'est pas encore prêt. Réessayez dans un instant."
        ),
    },
    "internal-error": {
        "en": Message(
            "Something went wrong",
            "Something went wrong on our side. Nothing was changed; try again in a moment.",
        ),
        "fr": Message(
            "Une erreur est survenue",
            f"Une erreur est survenue de notre côté. Rien n'a été modifié{NBSP}; "
            "réessayez dans un instant.",
        ),
    },
    "fetch-refused": {
        "en": Message(
            "Address refused", "Musette does not open this address: it is not a safe public one."
        ),
        "fr": Message(
            "Adresse refusée",
            f"Musette n'ouvre pas cette adresse{NBSP}: elle n'est pas publique et sûre.",
        ),
    },
    "upstream-unavailable": {
        "en": Message(
            "Service unreachable",
            "Another service needed for this did not answer. Try again in a moment.",
        ),
        "fr": Message(
            "Service injoignable",
            "Un autre service nécessaire n'a pas répondu. Réessayez dans un instant.",
        ),
    },
    "profile-revoked": {
        "en": Message(
            "Profile withdrawn", "The person has withdrawn this profile: ask them for a new link."
        ),
        "fr": Message(
            "Profil retiré",
            f"La personne a retiré ce profil{NBSP}: demandez-lui un nouveau lien.",
        ),
    },
    "profile-expired": {
        "en": Message(
            "Profile expired", "This profile has expired: ask the person for a new link."
        ),
        "fr": Message(
            "Profil expiré", f"Ce profil a expiré{NBSP}: demandez un nouveau lien à la personne."
        ),
    },
    "local-account-exists": {
        "en": Message(
            "This wallet already has its account",
            "This wallet runs for one person on this computer and its account exists: sign in.",
        ),
        "fr": Message(
            "Ce portefeuille a déjà son compte",
            "Ce portefeuille sert une seule personne sur cet ordinateur et son compte existe"
            f"{NBSP}: connectez-vous.",
        ),
    },
}


def _entry(code: str, lang: str) -> Message:
    entry = PROBLEM_MESSAGES.get(code) or PROBLEM_MESSAGES["internal-error"]
    return entry.get(lang) or entry["en"]


def problem_message(code: str, lang: str) -> str:
    """What to tell a person about the problem ``code``, in ``lang`` (fr or en)."""
    return _entry(code, lang).text


def problem_title(code: str, lang: str) -> str:
    """The problem's heading in ``lang``."""
    return _entry(code, lang).title
