from flokk.channels.connectors.sandbox.connector import SandboxConnector

__all__ = ["SandboxConnector"]
