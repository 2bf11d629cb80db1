"""The inbox: everything the public says to the organization, with sentiment, routing, SLA and replies."""
