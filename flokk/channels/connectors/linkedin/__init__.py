from flokk.channels.connectors.linkedin.connector import LinkedInConnector

__all__ = ["LinkedInConnector"]
