"""The project's own labelled captions for how a meme is used: sincere, humorous, sarcastic, other.

Memotion labels humour and sarcasm but has no class for the sincere-support use (hidden pain, sympathy,
solidarity) that memes such as crying-behind-a-mask carry, so the project writes its own. Every sentence
here was written for memescope. A caption is a *pattern* with slots; the validation split holds out whole
patterns (never just other fillings of a pattern the model trained on), so its figures measure phrasings
the model has not seen. Slot pools are shared across classes (lockdown, mondays, exams...) so that a topic
says nothing about the use.
"""

from __future__ import annotations

import hashlib
import itertools
import random
from dataclasses import dataclass

__all__ = ["Example", "USES", "labelled_examples", "split_of"]

USES = ("sincere", "humorous", "sarcastic", "other")

# shared topic pools: the same situations appear under every use
POOLS: dict[str, list[str]] = {
    "hard": [
        "the lockdown",
        "this pandemic",
        "quarantine",
        "losing my job",
        "the divorce",
        "my exams",
        "night shifts at the hospital",
        "moving away from home",
        "my dad being sick",
        "this winter",
        "another year of isolation",
        "wearing a mask all day",
        "the funeral",
        "being alone on holidays",
    ],
    "trivial": [
        "the wifi",
        "my coffee",
        "monday morning",
        "the group chat",
        "the printer",
        "my zoom camera",
        "the last slice of pizza",
        "my houseplants",
        "the microwave",
        "my phone at two percent",
        "the self checkout",
        "my lockdown haircut",
        "the bus",
        "my cat",
        "toilet paper",
    ],
    "people": [
        "nurses",
        "teachers",
        "my friends",
        "everyone working from home",
        "anyone grieving",
        "the night shift",
        "single parents",
        "students",
        "my neighbours",
        "people living alone",
        "delivery drivers",
        "doctors",
        "anyone far from family",
    ],
    "event": [
        "zoom meeting",
        "group project",
        "team building call",
        "family video call",
        "fire drill",
        "software update",
        "lockdown extension",
        "online class",
        "monday meeting",
        "tax return",
    ],
    "thing": [
        "mask",
        "webcam",
        "alarm clock",
        "inbox",
        "hand sanitizer",
        "grocery list",
        "calendar",
        "charger",
        "umbrella",
        "sourdough starter",
    ],
}

# (pattern id, use, text with {pool} slots). Written for this project.
PATTERNS: list[tuple[str, str, str]] = [
    # sincere: vulnerability, sympathy, solidarity, gratitude
    ("s01", "sincere", "smiling for everyone while {hard} breaks me inside"),
    ("s02", "sincere", "to {people}: you are not alone"),
    ("s03", "sincere", "it is okay to not be okay during {hard}"),
    ("s04", "sincere", "thank you {people}, we see how hard you work"),
    ("s05", "sincere", "I keep saying I am fine but {hard} is really hurting"),
    ("s06", "sincere", "sending love to {people} today"),
    ("s07", "sincere", "check on your friends, {hard} is heavy for many of us"),
    ("s08", "sincere", "behind my smile I miss my family so much"),
    ("s09", "sincere", "if {hard} is hard for you, please reach out, I am here"),
    ("s10", "sincere", "cried in the car again after {hard}, but I am still going"),
    ("s11", "sincere", "be gentle with yourself, {hard} is not easy"),
    ("s12", "sincere", "to {people} crying behind their masks, thank you for everything"),
    ("s13", "sincere", "nobody saw how much {hard} hurt me"),
    ("s14", "sincere", "we will get through {hard} together"),
    ("s15", "sincere", "I am proud of {people} for getting up every day"),
    ("s16", "sincere", "some days the smile is a mask and that is okay"),
    ("s17", "sincere", "you matter, even when {hard} makes you feel invisible"),
    ("s18", "sincere", "missing the people I love because of {hard}"),
    ("s19", "sincere", "my heart goes out to {people} tonight"),
    ("s20", "sincere", "I am tired and scared about {hard} and that is the truth"),
    ("s21", "sincere", "a hug to {people}, you deserve rest"),
    ("s22", "sincere", "hiding tears at work because of {hard}"),
    ("s23", "sincere", "stay strong, {people}, better days will come"),
    ("s24", "sincere", "please talk to someone if {hard} feels like too much"),
    # humorous: exaggeration of trivia, absurdity, relatable jokes
    ("h01", "humorous", "me when {trivial} stops working for two seconds"),
    ("h02", "humorous", "nobody: absolutely nobody: me yelling at {trivial}"),
    ("h03", "humorous", "day 40 of {hard}: I have started naming my {thing}"),
    ("h04", "humorous", "when {trivial} betrays you in front of the whole {event}"),
    ("h05", "humorous", "crying over {trivial} like it is a movie ending"),
    ("h06", "humorous", "my {thing} after I forget it for the third time today"),
    ("h07", "humorous", "accidentally unmuted in the {event} while eating chips"),
    ("h08", "humorous", "when you realise {trivial} was the real boss fight all along"),
    ("h09", "humorous", "me explaining to my {thing} why we need some space"),
    ("h10", "humorous", "tried to fix {trivial} and now the whole kitchen is on fire lol"),
    ("h11", "humorous", "the face I make when {trivial} asks for an update"),
    ("h12", "humorous", "local person defeated by {trivial}, more at eleven"),
    ("h13", "humorous", "my {thing} and I are in a committed relationship now"),
    ("h14", "humorous", "when you put on your {thing} and walk into the wrong {event}"),
    ("h15", "humorous", "I survived {hard} only to be destroyed by {trivial}"),
    ("h16", "humorous", "that moment {trivial} judges you harder than your mom"),
    ("h17", "humorous", "plot twist: {trivial} was the villain the whole time"),
    ("h18", "humorous", "mentally I am still stuck in the last {event}"),
    ("h19", "humorous", "brb crying because {trivial} looked at me funny"),
    ("h20", "humorous", "me pretending to be busy in the {event} lmao"),
    ("h21", "humorous", "when the {event} could have been an email and you drank four coffees anyway"),
    ("h22", "humorous", "my brain at 3am remembering {trivial} from 2012"),
    ("h23", "humorous", "{trivial} really said not today"),
    ("h24", "humorous", "tell me you survived {hard} without telling me: my {thing} has a name"),
    # sarcastic: praise of the bad, pretended indifference, mock enthusiasm
    ("c01", "sarcastic", "oh great, another {event}, my favourite thing ever"),
    ("c02", "sarcastic", "wow I just love {hard}, best time of my life"),
    ("c03", "sarcastic", "yeah I am totally fine, {hard} is going perfectly"),
    ("c04", "sarcastic", "thanks {trivial}, exactly what I needed today"),
    ("c05", "sarcastic", "sure, let us schedule one more {event}, that will fix everything"),
    ("c06", "sarcastic", "of course {trivial} breaks right now, what a surprise"),
    ("c07", "sarcastic", "living the dream with {hard}"),
    ("c08", "sarcastic", "nothing says fun like a surprise {event} on friday evening"),
    ("c09", "sarcastic", "love that for me, {hard} again"),
    ("c10", "sarcastic", "because {hard} was not enough, now {trivial} too, amazing"),
    ("c11", "sarcastic", "so glad {trivial} chose today to die, truly blessed"),
    ("c12", "sarcastic", "what a wonderful idea, another {event} /s"),
    ("c13", "sarcastic", "clearly {hard} is going great, look how relaxed I am"),
    ("c14", "sarcastic", "I am so thrilled about {hard}, can you not tell"),
    ("c15", "sarcastic", "yay, {trivial} again, my day is complete"),
    ("c16", "sarcastic", "oh sure, {hard} builds character, thanks for the tip"),
    ("c17", "sarcastic", "cannot wait for the next {event}, said no one ever"),
    ("c18", "sarcastic", "totally not crying about {hard}, this is just my happy face"),
    ("c19", "sarcastic", "brilliant, {trivial} is broken and the {event} starts in one minute"),
    ("c20", "sarcastic", "another {event}? how exciting, truly the highlight of my week"),
    ("c21", "sarcastic", "yeah because ignoring {hard} worked so well last time"),
    ("c22", "sarcastic", "nice job {trivial}, ten out of ten, would suffer again"),
    ("c23", "sarcastic", "best {event} ever, I especially loved the part where nothing happened"),
    ("c24", "sarcastic", "wow, {hard} and {trivial} on the same day, lucky me"),
    # other: no caption use (notices, adverts, descriptions, headlines, bare labels)
    ("o01", "other", "the {event} is moved to three pm in room four"),
    ("o02", "other", "buy one {thing} get one free this weekend only"),
    ("o03", "other", "a man holding a {thing} in front of a window"),
    ("o04", "other", "new guidance on {hard} published by the city council"),
    ("o05", "other", "download the app to get updates about the {event}"),
    ("o06", "other", "photo of {people} outside the station"),
    ("o07", "other", "template: crying face with a smiling mask, blank"),
    ("o08", "other", "posted in the general channel at nine"),
    ("o09", "other", "{thing} for sale, barely used, pick up only"),
    ("o10", "other", "chapter three: {hard} and its causes"),
    ("o11", "other", "the {event} agenda has four items"),
    ("o12", "other", "subscribe for more content every week"),
    ("o13", "other", "report on {hard} shows figures for march"),
    ("o14", "other", "image of a {thing} on a wooden table"),
    ("o15", "other", "reminder: submit forms before the {event}"),
    ("o16", "other", "opening hours change during {hard}"),
    ("o17", "other", "watermark made with a free meme generator"),
    ("o18", "other", "caption text goes here"),
    ("o19", "other", "the survey about {trivial} closes on friday"),
    ("o20", "other", "interview with {people} about their week"),
]


@dataclass(frozen=True)
class Example:
    text: str
    use: str
    pattern: str


def split_of(pattern: str, val_share: float = 0.25) -> str:
    """'train' or 'val' for a pattern, stably (a hash of its id, not its position in the list)."""
    h = int(hashlib.sha1(pattern.encode()).hexdigest()[:8], 16) / 0xFFFFFFFF
    return "val" if h < val_share else "train"


def _variants(text: str, rng: random.Random) -> str:
    # memes are written in every case; punctuation and emphasis vary
    r = rng.random()
    if r < 0.3:
        text = text.upper()
    elif r < 0.45:
        text = text.capitalize()
    if rng.random() < 0.15 and not text.endswith(("!", "?", "/s")):
        text += rng.choice(["!", "!!", "..."])
    return text


def labelled_examples(per_pattern: int = 12, seed: int = 0) -> list[Example]:
    """Deterministic fillings of every pattern (at most `per_pattern` each)."""
    rng = random.Random(seed)
    out = []
    for pid, use, text in PATTERNS:
        slots = [s for s in POOLS if "{" + s + "}" in text]
        fills = list(itertools.product(*(POOLS[s] for s in slots))) or [()]
        rng.shuffle(fills)
        seen = set()
        for fill in fills[:per_pattern]:
            t = text.format(**dict(zip(slots, fill)))
            if t not in seen:
                seen.add(t)
                out.append(Example(_variants(t, rng), use, pid))
    return out
