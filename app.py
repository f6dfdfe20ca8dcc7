"""Award Registry: the Chalice application. Thin on purpose.

Routes live in ``chalicelib/api`` (one blueprint per resource), logic in
``chalicelib/services`` and ``chalicelib/domain``.
"""

from __future__ import annotations

from chalicelib.api import awards, programs, public
from chalicelib.api.http import RegistryApp

app = RegistryApp(app_name="award-registry")
app.api.cors = False

for blueprint in (public.bp, programs.bp, awards.bp):
    app.register_blueprint(blueprint, url_prefix="/v1")
