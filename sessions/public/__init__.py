"""Public access: what anyone may learn about a case or a court's day without logging in."""
