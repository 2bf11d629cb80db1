"""Demo inbox: what the public might say to the demo's sandbox account, and a few saved replies.

Seeded by `flokk demo` (not by every test's demo organization), through the real ingest path, so the demo
shows sentiment, intent, routing and response-time targets as they work for real accounts.
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from flokk.channels.connectors.base import InboundAuthor, InboundItem
from flokk.channels.models import Account
from flokk.inbox.models import Conversation, SavedReply
from flokk.inbox.services.ingest import ingest
from flokk.teams.models import Organization

# (minutes ago, author, kind, text, answers the item at this index or None)
DEMO_ITEMS: list[tuple[int, str, str, str, int | None]] = [
    (
        300,
        "anna.l",
        "comment",
        "Vad kostar det för ett företag med 20 anställda? Vill gärna ha en offert.",
        None,
    ),
    (240, "mads_k", "comment", "Tak for en super god oplevelse i går, personalet var virkelig søde ❤️", None),
    (
        200,
        "ola.n",
        "mention",
        "@demo-sandbox pakken min er fortsatt ikke kommet etter to uker. Helt forferdelig service 😡",
        None,
    ),
    (180, "jess_w", "comment", "When do you open on Saturdays?", None),
    (150, "ola.n", "reply", "Og ingen svarer på e-post heller.", 2),
    (120, "lisa.s", "direct_message", "Hej! Jag har fått fel vara levererad, hur gör jag en retur?", None),
    (90, "promo_bot", "comment", "Follow back for free crypto 🚀🚀 bit.ly/xyz", None),
    (60, "karin_h", "comment", "Grymt bra nyhet! Ser fram emot lanseringen 🙌", None),
    (
        30,
        "peter.j",
        "mention",
        "@demo-sandbox appen kraschar varje gång jag försöker logga in. Inte okej.",
        None,
    ),
    (10, "mads_k", "comment", "Endnu en gang tak, I er de bedste!", None),
]

SAVED_REPLIES = [
    (
        "Thanks",
        {"en": "Thank you so much for the kind words! We'll pass them on to the team.",
         "sv": "Tack så mycket för de fina orden! Vi skickar dem vidare till teamet.",
         "da": "Tusind tak for de søde ord! Vi giver dem videre til holdet.",
         "nb": "Tusen takk for de fine ordene! Vi gir dem videre til teamet."},
        False,
    ),
    (
        "We're looking into it",
        {"en": "We're sorry about this. We're looking into it and will get back to you here soon.",
         "sv": "Vi beklagar. Vi tittar på det nu och återkommer här så snart vi vet mer.",
         "da": "Det beklager vi. Vi ser på det nu og vender tilbage her, så snart vi ved mere.",
         "nb": "Det beklager vi. Vi ser på det nå og kommer tilbake her så snart vi vet mer."},
        True,
    ),
]  # fmt: skip


def seed_inbox_demo(organization: Organization) -> int:
    """Seed once: returns how many messages were stored (0 when the demo inbox already has some)."""
    account = Account.objects.filter(organization=organization, network="sandbox").first()
    if account is None or Conversation.objects.filter(organization=organization).exists():
        return 0
    now = timezone.now()
    items: list[InboundItem] = []
    for index, (minutes, author, kind, text, answers) in enumerate(DEMO_ITEMS):
        remote_id = f"sandbox:demo-inbox/{index}"
        parent = items[answers] if answers is not None else None
        items.append(
            InboundItem(
                remote_id=remote_id,
                kind=kind,
                text=text,
                author=InboundAuthor(
                    remote_id=f"sandbox:{author}", handle=author, display_name=author.title()
                ),
                created_at=now - dt.timedelta(minutes=minutes),
                thread_id=parent.thread_id if parent else remote_id,
                parent_id=parent.remote_id if parent else "",
            )
        )
    for title, texts, holding in SAVED_REPLIES:
        SavedReply.objects.get_or_create(
            organization=organization,
            title=title,
            defaults={
                "text_en": texts["en"], "text_sv": texts["sv"],
                "text_da": texts["da"], "text_nb": texts["nb"],
                "is_holding_statement": holding,
            },
        )  # fmt: skip
    return ingest(account, items, now=now).stored
