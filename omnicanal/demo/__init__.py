"""Demo data for `make demo`: a French customer-service team's last thirty days."""
