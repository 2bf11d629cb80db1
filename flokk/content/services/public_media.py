"""Signed, expiring public addresses of assets, for networks that fetch media themselves (Instagram).

Instagram takes no uploads: it downloads each image from a URL. The publishing engine gives such connectors
an address under FLOKK_BASE_URL that is signed for one asset and valid for two days, so nothing else in the
library becomes public and a leaked address stops working.
"""

from __future__ import annotations

from django.conf import settings
from django.core import signing
from django.urls import reverse

from flokk.content.models import Asset

SALT = "flokk.content.public-asset"
MAX_AGE_SECONDS = 2 * 24 * 3600


def public_asset_url(asset: Asset) -> str:
    token = signing.dumps(str(asset.pk), salt=SALT, compress=False)
    return settings.FLOKK_BASE_URL.rstrip("/") + reverse("content:public_asset", args=[token])


def asset_for_token(token: str) -> Asset | None:
    """The asset a valid, unexpired token names; None for anything else."""
    try:
        asset_id = signing.loads(token, salt=SALT, max_age=MAX_AGE_SECONDS)
    except signing.BadSignature:
        return None
    return Asset.objects.filter(pk=asset_id).first()
