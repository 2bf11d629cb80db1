"""Every write of the strategy app: the versioned strategy, goals and KPIs, measurements, the action plan."""
