"""Personas for For-You audits (issue 17): one YAML file each under personas/, read into a checked
`Persona` (model.py), the cookies it may import (cookies.py), and how it watches a video
(behaviour.py). A bad file is one `PersonaError` line naming the file and the field."""

from tiktok.personas.behaviour import Watch, interest_weight, watch
from tiktok.personas.cookies import load_cookies
from tiktok.personas.model import Persona, PersonaError, find_persona, load_persona

__all__ = ["Persona", "PersonaError", "Watch", "find_persona", "interest_weight", "load_cookies", "load_persona", "watch"]
