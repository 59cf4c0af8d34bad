"""Schema migrations, applied in order; PRAGMA user_version records how many have run. Most are SQL; a
callable is a step SQL cannot say (it gets the connection, inside the migration's transaction)."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from datetime import datetime, timezone

from ..values import valid_stored_date

__all__ = ["MIGRATIONS"]


def _repair_dates(db: sqlite3.Connection) -> None:
    """Dates stored before ingest checked them (2020-13-45, 0000-00-00) made every later timeline run
    fail: such a post loses its date (it stays in the corpus, undated) and the error is recorded."""
    now = datetime.now(timezone.utc).isoformat(timespec="seconds")
    bad = [
        (key, created)
        for key, created in db.execute("SELECT key, created_at FROM posts WHERE created_at IS NOT NULL")
        if not valid_stored_date(created)
    ]
    for key, created in bad:
        db.execute("UPDATE posts SET created_at=NULL WHERE key=?", (key,))
        db.execute(
            """INSERT INTO errors(stage, item, reason, detail, run_id, created_at)
               VALUES ('ingest', ?, 'bad date', ?, NULL, ?)
               ON CONFLICT(stage, item) DO UPDATE SET reason=excluded.reason, detail=excluded.detail""",
            (key, f"{str(created)[:40]!r} is not a date: the post is kept without one", now),
        )


MIGRATIONS: list[str | Callable[[sqlite3.Connection], None]] = [
    # 1: the walking skeleton
    """
    CREATE TABLE posts (
        key          TEXT PRIMARY KEY,          -- source:id
        source       TEXT NOT NULL,
        id           TEXT NOT NULL,
        image_sha256 TEXT REFERENCES images(sha256),
        text         TEXT,                      -- text that came with the post (typed caption)
        title        TEXT,
        created_at   TEXT,                      -- ISO 8601, UTC
        date_approx  INTEGER NOT NULL DEFAULT 0,
        community    TEXT,
        author       TEXT,
        url          TEXT,
        template_hint TEXT,
        extra        TEXT,                      -- JSON
        ingested_at  TEXT NOT NULL
    );
    CREATE INDEX posts_image ON posts(image_sha256);
    CREATE INDEX posts_created ON posts(created_at);

    CREATE TABLE images (
        sha256  TEXT PRIMARY KEY,
        path    TEXT NOT NULL,
        bytes   INTEGER NOT NULL
    );

    -- one row per decoded image: size, content box, hashes (int64) of the content and of its mirror
    CREATE TABLE features (
        sha256      TEXT PRIMARY KEY REFERENCES images(sha256),
        width       INTEGER NOT NULL,
        height      INTEGER NOT NULL,
        format      TEXT,
        box         TEXT NOT NULL,            -- JSON [left, top, right, bottom] of the picture
        phash       INTEGER NOT NULL,         -- pHash of the picture inside bars (imagehash-compatible)
        phash_full  INTEGER NOT NULL,         -- pHash of the whole image
        phash_mirror INTEGER NOT NULL         -- pHash of the mirrored picture
    );

    CREATE TABLE templates (
        id          INTEGER PRIMARY KEY,
        name        TEXT NOT NULL UNIQUE,
        description TEXT,
        aliases     TEXT,                     -- JSON list
        origin      TEXT,
        links       TEXT,                     -- JSON list
        affect      TEXT,                     -- the picture's own mood, e.g. 'sad' (used by understand)
        created_at  TEXT NOT NULL
    );
    CREATE TABLE template_images (
        template_id INTEGER NOT NULL REFERENCES templates(id) ON DELETE CASCADE,
        sha256      TEXT NOT NULL,
        path        TEXT NOT NULL,
        phash       INTEGER NOT NULL,
        phash_mirror INTEGER NOT NULL,
        PRIMARY KEY (template_id, sha256)
    );

    -- image -> template decision; kb_version says which knowledge base it was made against
    CREATE TABLE matches (
        sha256      TEXT PRIMARY KEY REFERENCES images(sha256),
        template_id INTEGER REFERENCES templates(id),
        distance    INTEGER,
        score       REAL,
        method      TEXT NOT NULL,            -- phash | phash-mirror | orb | none
        verified    INTEGER NOT NULL DEFAULT 0,
        region      TEXT,                     -- JSON [l, t, r, b] of the match in the image
        cluster_id  INTEGER,
        kb_version  INTEGER NOT NULL
    );

    CREATE TABLE clusters (
        id       INTEGER PRIMARY KEY,
        medoid   TEXT NOT NULL,               -- sha256 of the medoid image
        size     INTEGER NOT NULL,
        template_id INTEGER REFERENCES templates(id)
    );

    CREATE TABLE ocr (
        sha256  TEXT PRIMARY KEY REFERENCES images(sha256),
        engine  TEXT NOT NULL,
        text    TEXT NOT NULL,                -- joined caption text
        clean   TEXT NOT NULL,                -- cleaned text used for analysis
        lines   TEXT NOT NULL                 -- JSON [{text, score, box, block}]
    );

    CREATE TABLE analyses (
        post_key     TEXT PRIMARY KEY REFERENCES posts(key),
        text_source  TEXT NOT NULL,           -- post | ocr | none
        text         TEXT NOT NULL,
        sentiment    REAL,                    -- VADER compound in [-1, 1]
        sentiment_label TEXT,
        contexts     TEXT NOT NULL,           -- JSON {context: score}
        cues         TEXT NOT NULL            -- JSON {context: [terms found]}
    );

    CREATE TABLE series (
        template    TEXT NOT NULL,
        bin         TEXT NOT NULL,            -- bin start date (ISO)
        bin_unit    TEXT NOT NULL,            -- month | quarter | year
        n           INTEGER NOT NULL,
        context_n   TEXT NOT NULL,            -- JSON {context: count}
        sentiment   REAL,
        PRIMARY KEY (template, bin)
    );
    CREATE TABLE change_points (
        id        INTEGER PRIMARY KEY,
        template  TEXT NOT NULL,
        kind      TEXT NOT NULL,              -- volume | context:<name>
        date      TEXT NOT NULL,
        before    REAL NOT NULL,
        after     REAL NOT NULL,
        detail    TEXT                        -- JSON
    );

    CREATE TABLE runs (
        id          INTEGER PRIMARY KEY,
        command     TEXT NOT NULL,
        started_at  TEXT NOT NULL,
        finished_at TEXT,
        status      TEXT NOT NULL,            -- running | done | failed
        stages      TEXT                      -- JSON [{stage, seconds, items, errors}]
    );

    -- every item a stage skipped, with why; one row per (stage, item), refreshed on retry
    CREATE TABLE errors (
        stage      TEXT NOT NULL,
        item       TEXT NOT NULL,
        reason     TEXT NOT NULL,
        detail     TEXT,
        run_id     INTEGER,
        created_at TEXT NOT NULL,
        PRIMARY KEY (stage, item)
    );

    CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
    INSERT INTO meta(key, value) VALUES ('kb_version', '0');

    -- a post's template: its image's match, else what its source declared
    CREATE VIEW post_templates AS
        SELECT p.key AS post_key, t.id AS template_id, t.name AS template,
               CASE WHEN m.template_id IS NOT NULL THEN m.method ELSE 'declared' END AS method
        FROM posts p
        LEFT JOIN matches m ON m.sha256 = p.image_sha256
        JOIN templates t ON t.id = COALESCE(m.template_id,
            (SELECT id FROM templates WHERE name = p.template_hint));
    """,
    # 2: change points carry a dated interval, an effect size and distinctive terms; analyses a version
    """
    ALTER TABLE change_points ADD COLUMN date_low TEXT;
    ALTER TABLE change_points ADD COLUMN date_high TEXT;
    ALTER TABLE change_points ADD COLUMN effect TEXT;      -- JSON {diff, diff_low, diff_high} or {rate_ratio...}
    ALTER TABLE change_points ADD COLUMN terms TEXT;       -- JSON {before: [{term, z}], after: [...]}
    -- which lexicons and analyzers made an analysis: a change in either makes the post pending again
    ALTER TABLE analyses ADD COLUMN version TEXT NOT NULL DEFAULT '';

    -- a post's template as a table the match stage refreshes (a view was a full scan per template)
    CREATE TABLE assignments (
        post_key    TEXT PRIMARY KEY REFERENCES posts(key),
        template_id INTEGER NOT NULL REFERENCES templates(id),
        method      TEXT NOT NULL
    );
    CREATE INDEX assignments_template ON assignments(template_id);
    CREATE INDEX posts_hint ON posts(template_hint);
    CREATE INDEX matches_template ON matches(template_id);
    DROP VIEW post_templates;
    CREATE VIEW post_templates AS
        SELECT a.post_key, a.template_id, t.name AS template, a.method
        FROM assignments a JOIN templates t ON t.id = a.template_id;
    """,
    # 3: the text a template's own picture carries ("WHO WOULD WIN?"), read once per engine, so that an
    #    instance's caption is what people added, not what the template already said
    """
    CREATE TABLE template_text (
        template_id INTEGER NOT NULL REFERENCES templates(id) ON DELETE CASCADE,
        engine      TEXT NOT NULL,
        lines       TEXT NOT NULL,            -- JSON [normalized line text]
        PRIMARY KEY (template_id, engine)
    );
    """,
    # 4: spread across communities per template; variants (clusters) within each template's instances
    """
    CREATE TABLE spread (
        template TEXT PRIMARY KEY,
        data     TEXT NOT NULL                -- JSON {origin, first_by_community[], leads[]}
    );
    ALTER TABLE matches ADD COLUMN variant INTEGER;   -- variant number within the template (1 = largest)
    """,
    # 5: how a caption is used (sincere / humorous / sarcastic / other) with the evidence, and emotions
    """
    ALTER TABLE analyses ADD COLUMN use TEXT;               -- NULL when the use model is not installed
    ALTER TABLE analyses ADD COLUMN use_probs TEXT;         -- JSON {use: probability}
    ALTER TABLE analyses ADD COLUMN humour REAL;            -- P(funny), Memotion-trained
    ALTER TABLE analyses ADD COLUMN sarcasm REAL;           -- P(sarcastic), Memotion-trained
    ALTER TABLE analyses ADD COLUMN use_cues TEXT;          -- JSON [{cue, weight, found}]
    ALTER TABLE analyses ADD COLUMN emotions TEXT;          -- JSON {emotion: [cues]}
    ALTER TABLE analyses ADD COLUMN template_affect TEXT;   -- the picture's mood the analysis assumed
    CREATE INDEX analyses_use ON analyses(use);
    ALTER TABLE series ADD COLUMN use_n TEXT;               -- JSON {use: posts in the bin}
    """,
    # 6: which pixels OCR read: the image, or its caption layer (the matched template's picture blanked)
    """
    ALTER TABLE ocr ADD COLUMN source TEXT NOT NULL DEFAULT 'image';   -- image | caption layer
    """,
    # 7: series and change points within a template: per community ('community:NAME') and per variant of
    #    its picture ('variant:N'); '' is the whole template. The key grows, so the series table is rebuilt.
    #    And how far an estimated date may be off.
    """
    CREATE TABLE series_scoped (
        template    TEXT NOT NULL,
        scope       TEXT NOT NULL DEFAULT '',
        bin         TEXT NOT NULL,
        bin_unit    TEXT NOT NULL,
        n           INTEGER NOT NULL,
        context_n   TEXT NOT NULL,
        sentiment   REAL,
        use_n       TEXT,
        PRIMARY KEY (template, scope, bin)
    );
    INSERT INTO series_scoped(template, scope, bin, bin_unit, n, context_n, sentiment, use_n)
        SELECT template, '', bin, bin_unit, n, context_n, sentiment, use_n FROM series;
    DROP TABLE series;
    ALTER TABLE series_scoped RENAME TO series;
    ALTER TABLE change_points ADD COLUMN scope TEXT NOT NULL DEFAULT '';
    CREATE INDEX change_points_template ON change_points(template, scope);
    -- how far an estimated date may be off, in days (NULL: exact, or unknown for an estimated one)
    ALTER TABLE posts ADD COLUMN date_error_days REAL;
    """,
    # 8: a run knows its process, so that a run killed without a word (kill -9) is found and marked
    #    interrupted by the next one; and each ingested source keeps the root its images must lie in (the
    #    web app serves files from these roots only)
    """
    ALTER TABLE runs ADD COLUMN pid INTEGER;
    ALTER TABLE runs ADD COLUMN host TEXT;
    CREATE TABLE sources (
        path        TEXT PRIMARY KEY,           -- the source as given to ingest, resolved
        format      TEXT NOT NULL,
        root        TEXT NOT NULL,              -- every image of the source lies inside this folder
        ingested_at TEXT NOT NULL
    );
    """,
    # 9: only real dates are stored (see memescope.values): older stores are repaired once
    _repair_dates,
    # 10: the caption model's other answers: polarity (P(positive)), the emotion of seven with its
    #     probabilities, offensiveness with the words behind it
    """
    ALTER TABLE analyses ADD COLUMN polarity REAL;
    ALTER TABLE analyses ADD COLUMN emotion TEXT;
    ALTER TABLE analyses ADD COLUMN emotion_probs TEXT;     -- JSON {emotion: probability}
    ALTER TABLE analyses ADD COLUMN offensive REAL;
    ALTER TABLE analyses ADD COLUMN offensive_cues TEXT;    -- JSON [word n-grams]
    """,
]
