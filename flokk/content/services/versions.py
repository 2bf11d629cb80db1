"""Version history of posts: a snapshot on every save, and a readable word diff between two snapshots."""

from __future__ import annotations

import difflib
import re
from typing import Any

from django.utils.html import conditional_escape, format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from flokk.content.models import Post, PostVersion
from flokk.teams.models import User


def snapshot(post: Post) -> dict[str, Any]:
    """The post's content as plain JSON: what a reviewer compares between versions."""
    return {
        "objective": post.objective,
        "campaign": post.campaign.name if post.campaign else "",
        "content_type": post.content_type,
        "tags": list(post.tags),
        "scheduled_at": post.scheduled_at.isoformat() if post.scheduled_at else "",
        "accounts": sorted(str(account) for account in post.accounts.all()),
        "variants": [
            {
                "network": variant.network,
                "text": variant.text,
                "link": variant.link,
                "first_comment": variant.first_comment,
                "hashtags": list(variant.hashtags),
                "assets": sorted(asset.original_name for asset in variant.assets.all()),
            }
            for variant in post.variants.order_by("network")
        ],
    }


def record_version(post: Post, *, actor: User | None) -> PostVersion:
    """Store the post as it is now as its next version. Call inside the saving transaction."""
    last = post.versions.order_by("-number").values_list("number", flat=True).first() or 0
    return PostVersion.objects.create(post=post, number=last + 1, snapshot=snapshot(post), author=actor)


def as_text(data: dict[str, Any]) -> str:
    """A snapshot as the lines a person reads, labelled in the reader's language."""
    lines = [
        f"{_('Objective')}: {data.get('objective', '')}",
        f"{_('Campaign')}: {data.get('campaign', '')}",
        f"{_('Content type')}: {data.get('content_type', '')}",
        f"{_('Angle tags')}: {', '.join(data.get('tags', []))}",
        f"{_('Publish at')}: {data.get('scheduled_at', '')}",
        f"{_('Accounts')}: {', '.join(data.get('accounts', []))}",
    ]
    for variant in data.get("variants", []):
        lines += [
            "",
            f"[{variant['network']}]",
            variant["text"],
            f"{_('Link')}: {variant['link']}",
            f"{_('First comment')}: {variant['first_comment']}",
            f"{_('Hashtags')}: {' '.join('#' + t for t in variant['hashtags'])}",
            f"{_('Media')}: {', '.join(variant['assets'])}",
        ]
    return "\n".join(lines)


TOKEN = re.compile(r"\s+|[^\s]+")


def diff_html(old: str, new: str) -> SafeString:
    """Word diff of two texts as HTML: removed words in `<del>`, added in `<ins>`; every word is escaped."""
    before, after = TOKEN.findall(old), TOKEN.findall(new)
    parts: list[str] = []
    matcher = difflib.SequenceMatcher(a=before, b=after, autojunk=False)
    for op, a1, a2, b1, b2 in matcher.get_opcodes():
        removed, added = "".join(before[a1:a2]), "".join(after[b1:b2])
        if op == "equal":
            parts.append(conditional_escape(added))
            continue
        if removed:
            parts.append(format_html("<del>{}</del>", removed))
        if added:
            parts.append(format_html("<ins>{}</ins>", added))
    return mark_safe("".join(parts))  # noqa: S308 - every part above is escaped
