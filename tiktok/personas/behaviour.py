"""How a persona treats one video: how strongly it matches its interests, how long it watches, and
whether it likes the video or follows its creator. Pure functions of the persona, the video and a
seeded random generator, so a run's choices can be replayed and tested."""

from __future__ import annotations

import random
from dataclasses import dataclass

from tiktok.personas.model import Persona
from tiktok.schema.items import Video


@dataclass(frozen=True)
class Watch:
    seconds: float
    to_end: bool
    actions: tuple[str, ...]  # "like", "follow"


def interest_weight(persona: Persona, video: Video) -> float:
    """The strongest interest the video matches (its hashtags, sound or creator); 0 for none."""
    wanted = persona.interests
    weights = [wanted.hashtags.get(h.lower(), 0.0) for h in video.hashtag_names or []]
    weights.append(wanted.sounds.get(video.music_id or "", 0.0))
    weights.append(wanted.creators.get((video.username or "").lower(), 0.0))
    return max(weights)


def watch(persona: Persona, weight: float, duration: int | None, rng: random.Random) -> Watch:
    """The dwell (the persona's time for the match, with jitter; a matching video it finishes gets
    its whole length) and the actions its rules call for."""
    w = persona.watching
    seconds = w.other_seconds + (w.matching_seconds - w.other_seconds) * weight
    seconds *= 1 + rng.uniform(-w.jitter, w.jitter)
    to_end = bool(weight and duration and rng.random() < w.finish_share)
    if to_end and duration:
        seconds = float(duration)
    actions = tuple(name for name, rule in (("like", persona.actions.like), ("follow", persona.actions.follow))
                    if rule.enabled and (weight or not rule.matching_only) and rng.random() < rule.share)  # fmt: skip
    return Watch(round(seconds, 3), to_end, actions)
