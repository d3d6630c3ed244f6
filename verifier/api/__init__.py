"""HTTP routes: one APIRouter per resource, no logic."""
