"""HTTP routes: one router per resource, no logic."""
