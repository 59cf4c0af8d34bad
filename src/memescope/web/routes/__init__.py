"""The web app's routes, one router per part: browsing, search, accounts, the discussion, moderation."""

from . import accounts, browse, discussion, moderation, search

ROUTERS = [browse.router, search.router, accounts.router, discussion.router, moderation.router]

__all__ = ["ROUTERS"]
