"""Every write in the teams app goes through a function here: verb + noun, atomic, audited."""
