"""Forms of the content pages, one module per sub-domain. They parse input; the services decide."""

from flokk.content.forms.assets import AssetEditForm, AssetUploadForm
from flokk.content.forms.campaigns import CampaignForm
from flokk.content.forms.posts import PostForm, add_service_errors

__all__ = ["AssetEditForm", "AssetUploadForm", "CampaignForm", "PostForm", "add_service_errors"]
