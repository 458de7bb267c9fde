"""HTTP routes: parse, authorise, call the domain, format. Nothing else."""
