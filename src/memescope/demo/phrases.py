"""The demo's own captions, written for this project: (top, bottom) pairs by use and context."""

from __future__ import annotations

__all__ = ["PHRASES", "USES"]

USES = ("sincere", "humorous", "sarcastic")

# PHRASES[use][pandemic] -> list of (top, bottom)
PHRASES: dict[str, dict[bool, list[tuple[str, str]]]] = {
    "sincere": {
        False: [
            ("smiling all day", "so nobody asks how I really am"),
            ("it is okay to not be okay", "you are not alone"),
            ("told everyone I was fine", "again today"),
            ("to anyone hiding their pain", "I see you and I care"),
            ("laughing with friends", "then crying on the bus home"),
            ("be kind to people", "you never know what they carry"),
            ("my smile is real", "my tiredness is too"),
            ("reach out to your friends", "the strong ones hurt too"),
        ],
        True: [
            ("smiling on the zoom call", "while the lockdown breaks me inside"),
            ("behind every mask", "someone misses their family"),
            ("six months of quarantine", "and I still say I am fine"),
            ("to the nurses crying behind their masks", "thank you for everything"),
            ("if the lockdown is hard for you", "you are not alone"),
            ("social distancing from everyone", "including my own feelings"),
            ("wearing a mask for the pandemic", "and another one for my family"),
            ("missed another birthday to covid", "still smiling for the camera"),
        ],
    },
    "humorous": {
        False: [
            ("when the pizza place", "is out of pepperoni"),
            ("me at three in the morning", "remembering a text from years ago"),
            ("my cat watching me", "eat the last slice of cheese"),
            ("when the teacher says", "the test will be easy"),
            ("stepping on a lego", "at full speed"),
            ("when the wifi drops", "during the final boss"),
            ("dropping my ice cream", "on the first lick"),
            ("when mom says", "we have food at home"),
        ],
        True: [
            ("day forty of quarantine", "I have named all my houseplants"),
            ("unmuting on zoom to say one word", "then muting again"),
            ("forgot my mask", "walked home for the third time"),
            ("lockdown haircut", "by my little brother"),
            ("me after one week of lockdown", "talking to the fridge"),
            ("stocked up on toilet paper", "forgot to buy food"),
        ],
    },
    "sarcastic": {
        False: [
            ("wow I just love mondays", "so much"),
            ("oh great another group project", "my favorite thing ever"),
            ("yeah I am totally fine", "never been better"),
            ("sure I would love to work", "this weekend too"),
            ("oh nice the printer is broken", "what a surprise"),
            ("of course the bus is late", "it is only raining"),
        ],
        True: [
            ("oh wow another zoom happy hour", "what a treat"),
            ("lockdown is great", "I love talking to my walls"),
            ("sure let us meet in person", "masks are overrated anyway"),
            ("working from home is amazing", "my kids are such quiet coworkers"),
            ("another week of quarantine", "living the dream"),
        ],
    },
}
