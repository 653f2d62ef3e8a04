"""Who a person is: users keyed by IIN, staff roles granted by the court, EDS login sessions."""
