"""Exports to where recruiters look: a printable CV (PDF), LinkedIn's « Add to profile » link
and Europass (European Learning Model v3). Each export item carries its proof strength and a
live share link (the wallet's public share page) so a reader can verify it now."""
