"""One key per real-world thing: normalisers for Hub ids, GitHub URLs, DOIs, arXiv ids, ORCIDs.

Each function maps a string column to the canonical key used in instance IRIs
(``entity(kind, key)``); input that is not such an identifier becomes null.
"""

from __future__ import annotations

import polars as pl

from ptmkg.mapping.terms import entity, iri
from ptmkg.namespaces import SPDX_LICENSE


def _col(expr: pl.Expr | str) -> pl.Expr:
    return (pl.col(expr) if isinstance(expr, str) else expr).cast(pl.String).str.strip_chars()


def hub_id(expr: pl.Expr | str) -> pl.Expr:
    """Hugging Face repo id ``owner/name``, lower-cased (the Hub resolves ids case-insensitively).

    Accepts bare ids and ``https://huggingface.co/<id>`` URLs (with tree/blob paths).
    """
    e = _col(expr).str.replace(r"^(?i:https?://)?(?i:www\.)?(?i:huggingface\.co|hf\.co)/", "")
    e = e.str.replace(r"^(?:models/)", "").str.replace(r"/(?:tree|blob|resolve)/.*$", "")
    e = e.str.strip_chars("/ ").str.to_lowercase()
    return pl.when(e.str.contains(r"^[a-z0-9][\w.\-]*(/[\w.\-]+)?$")).then(e)


def github_repo(expr: pl.Expr | str) -> pl.Expr:
    """``owner/name`` of a GitHub repository URL (http/https, www, .git, tree/blob paths, git@)."""
    e = _col(expr).str.replace(r"^git@github\.com:", "https://github.com/")
    m = e.str.extract(r"(?i)^(?:git\+)?(?:https?://)?(?:www\.)?github\.com/([\w.\-]+/[\w.\-]+)", 1)
    return m.str.replace(r"\.git$", "").str.to_lowercase()


def doi(expr: pl.Expr | str) -> pl.Expr:
    """A DOI, lower-cased, without ``doi:`` or ``https://doi.org/`` prefixes."""
    e = _col(expr).str.replace(r"^(?i:doi:\s*)", "")
    e = e.str.replace(r"^(?i:https?://)?(?i:dx\.)?(?i:doi\.org/)", "")
    return pl.when(e.str.contains(r"^10\.\d{4,9}/\S+$")).then(e.str.to_lowercase())


def arxiv_id(expr: pl.Expr | str) -> pl.Expr:
    """An arXiv id without version: ``2106.09685``, or old style ``hep-th/9901001``.

    Accepts ``arxiv:`` tags, abs/pdf URLs and the arXiv DOI form ``10.48550/arXiv.<id>``.
    """
    e = _col(expr).str.to_lowercase()
    new = e.str.extract(r"(?:^|arxiv[:./]|abs/|pdf/)(\d{4}\.\d{4,5})(?:v\d+)?(?:\.pdf)?$", 1)
    old = e.str.extract(r"(?:^|arxiv[:./]|abs/|pdf/)([a-z\-]+(?:\.[a-z]{2})?/\d{7})(?:v\d+)?$", 1)
    return pl.coalesce(new, old)


def orcid(expr: pl.Expr | str) -> pl.Expr:
    """An ORCID iD ``0000-0002-1825-0097`` from bare or URL form (checksum not verified)."""
    e = _col(expr).str.to_uppercase()
    return e.str.extract(r"(\d{4}-\d{4}-\d{4}-\d{3}[\dX])$", 1)


def slug(expr: pl.Expr | str) -> pl.Expr:
    """A lower-case slug for names without an identifier scheme (datasets by name, journals)."""
    e = _col(expr).str.to_lowercase().str.replace_all(r"[^\w.\-]+", "-").str.strip_chars("-")
    return pl.when(e.str.len_chars() > 0).then(e)


SPDX_ALIASES: dict[str, str] = {
    "apache-2.0": "Apache-2.0", "apache 2.0": "Apache-2.0", "apache license 2.0": "Apache-2.0",
    "mit": "MIT", "bsd-3-clause": "BSD-3-Clause", "bsd-2-clause": "BSD-2-Clause", "bsd": "BSD-3-Clause",
    "gpl-3.0": "GPL-3.0-only", "gpl-2.0": "GPL-2.0-only", "gpl": "GPL-3.0-only", "lgpl-3.0": "LGPL-3.0-only",
    "lgpl-2.1": "LGPL-2.1-only", "agpl-3.0": "AGPL-3.0-only", "mpl-2.0": "MPL-2.0", "unlicense": "Unlicense",
    "cc0-1.0": "CC0-1.0", "cc-by-4.0": "CC-BY-4.0", "cc-by-sa-4.0": "CC-BY-SA-4.0", "cc-by-3.0": "CC-BY-3.0",
    "cc-by-sa-3.0": "CC-BY-SA-3.0", "cc-by-nc-4.0": "CC-BY-NC-4.0", "cc-by-nc-sa-4.0": "CC-BY-NC-SA-4.0",
    "cc-by-nc-nd-4.0": "CC-BY-NC-ND-4.0", "cc-by-nd-4.0": "CC-BY-ND-4.0", "cc-by-nc-3.0": "CC-BY-NC-3.0",
    "cc-by-nc-sa-3.0": "CC-BY-NC-SA-3.0", "cc-by-2.0": "CC-BY-2.0", "cc-by-2.5": "CC-BY-2.5",
    "openrail": "OpenRAIL", "openrail++": "OpenRAIL++", "creativeml-openrail-m": "CreativeML-OpenRAIL-M",
    "bigscience-openrail-m": "BigScience-OpenRAIL-M", "bigscience-bloom-rail-1.0": "BigScience-BLOOM-RAIL-1.0",
    "llama2": "Llama-2", "llama3": "Llama-3", "llama3.1": "Llama-3.1", "llama3.2": "Llama-3.2",
    "llama3.3": "Llama-3.3", "llama4": "Llama-4", "gemma": "Gemma", "afl-3.0": "AFL-3.0", "artistic-2.0": "Artistic-2.0",
    "bsl-1.0": "BSL-1.0", "ecl-2.0": "ECL-2.0", "epl-1.0": "EPL-1.0", "epl-2.0": "EPL-2.0", "eupl-1.1": "EUPL-1.1",
    "isc": "ISC", "odbl": "ODbL-1.0", "odc-by": "ODC-By-1.0", "pddl": "PDDL-1.0", "wtfpl": "WTFPL", "zlib": "Zlib",
    "postgresql": "PostgreSQL", "osl-3.0": "OSL-3.0", "deepfloyd-if-license": "DeepFloyd-IF",
    "other": "other", "unknown": "unknown",
}
# Identifiers on the SPDX licence list; others (model licences like Llama-2, OpenRAIL) get ptmkg licence IRIs.
SPDX_LISTED = {
    "Apache-2.0", "MIT", "BSD-3-Clause", "BSD-2-Clause", "GPL-3.0-only", "GPL-2.0-only", "LGPL-3.0-only",
    "LGPL-2.1-only", "AGPL-3.0-only", "MPL-2.0", "Unlicense", "CC0-1.0", "CC-BY-4.0", "CC-BY-SA-4.0", "CC-BY-3.0",
    "CC-BY-SA-3.0", "CC-BY-NC-4.0", "CC-BY-NC-SA-4.0", "CC-BY-NC-ND-4.0", "CC-BY-ND-4.0", "CC-BY-NC-3.0",
    "CC-BY-NC-SA-3.0", "CC-BY-2.0", "CC-BY-2.5", "AFL-3.0", "Artistic-2.0", "BSL-1.0", "ECL-2.0", "EPL-1.0",
    "EPL-2.0", "EUPL-1.1", "ISC", "ODbL-1.0", "ODC-By-1.0", "PDDL-1.0", "WTFPL", "Zlib", "PostgreSQL", "OSL-3.0",
}
PERMISSIVE = {"Apache-2.0", "MIT", "BSD-3-Clause", "BSD-2-Clause", "Unlicense", "CC0-1.0", "CC-BY-4.0",
              "CC-BY-3.0", "CC-BY-2.0", "CC-BY-2.5", "AFL-3.0", "BSL-1.0", "ECL-2.0", "ISC", "PDDL-1.0",
              "ODC-By-1.0", "WTFPL", "Zlib", "PostgreSQL"}


def licence_id(expr: pl.Expr | str) -> pl.Expr:
    """The normalised licence identifier (SPDX id where one exists) of a raw licence string."""
    e = _col(expr).str.to_lowercase().str.replace(r"^license:", "")
    return e.replace_strict(SPDX_ALIASES, default=None, return_dtype=pl.String)


def licence_iri(expr: pl.Expr | str) -> pl.Expr:
    """An IRI term for a normalised licence id: SPDX IRI when listed, else a ptmkg licence IRI."""
    e = pl.col(expr) if isinstance(expr, str) else expr
    return pl.when(e.is_in(list(SPDX_LISTED))).then(iri(SPDX_LICENSE, e)).otherwise(entity("license", e))
