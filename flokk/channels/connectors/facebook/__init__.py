from flokk.channels.connectors.facebook.connector import FacebookConnector

__all__ = ["FacebookConnector"]
