"""FAIR Jupyter frames → triples: papers, journals, authors, MeSH subjects, repositories, notebooks."""

from __future__ import annotations

import polars as pl

from ptmkg.mapping.identity import (
    doi,
    github_repo,
    licence_id,
    licence_iri,
    orcid,
    slug,
)
from ptmkg.mapping.terms import (
    Triples,
    date,
    date_time,
    entity,
    integer,
    raw_iri,
    text,
)
from ptmkg.namespaces import DCT, FABIO, PRISM, PTMKG, SCHEMA, SKOS
from ptmkg.sources.base import SourceData

MESH_SCHEME = entity("subject", pl.lit("mesh"))


def paper_iri() -> pl.Expr:
    """Paper IRI of an article row: by DOI, else PubMed id, else PMC id."""
    return pl.coalesce(entity("paper/doi", doi("doi")), entity("paper/pmid", pl.col("pmid")),
                       entity("paper/key/fairjupyter", pl.lit("PMC") + pl.col("pmc")))


def repo_key() -> pl.Expr:
    """``owner/name`` (lower case) of a repository row hosted on GitHub."""
    return github_repo(pl.lit("https://") + pl.col("domain") + pl.lit("/") + pl.col("repository"))


def notebook_iri(repo: pl.Expr, path: pl.Expr) -> pl.Expr:
    """``notebook/<repo-key>/<path>``."""
    return entity("notebook", pl.concat_str([repo, pl.lit("/"), path]))


def article_licence(raw: pl.Expr) -> pl.Expr:
    """Normalised licence id of an article licence statement (Creative Commons URLs and short names)."""
    low = raw.str.to_lowercase()
    cc = low.str.extract(r"creativecommons\.org/licenses/([a-z\-]+)/(\d\.\d)", 1)
    version = low.str.extract(r"creativecommons\.org/licenses/[a-z\-]+/(\d\.\d)", 1)
    guess = pl.coalesce(
        pl.concat_str([pl.lit("cc-"), cc, pl.lit("-"), version]),
        pl.when(low.str.contains(r"creativecommons\.org/publicdomain/zero/1\.0")).then(pl.lit("cc0-1.0")))
    return licence_id(guess)


def _papers(t: Triples, articles: pl.DataFrame, journals: pl.DataFrame) -> None:
    a = articles.join(journals.select(pl.col("id").alias("journal_id"), pl.col("name").alias("journal")),
                      on="journal_id", how="left")
    p = paper_iri()
    t.types(a, p, PTMKG + "Paper", FABIO + "JournalArticle")
    t.add(a, p, DCT + "title", text("name"))
    t.add(a, p, PRISM + "doi", text(doi("doi")))
    t.add(a, p, FABIO + "hasPubMedId", text("pmid"))
    t.add(a, p, FABIO + "hasPubMedCentralId", text(pl.lit("PMC") + pl.col("pmc")))
    t.add(a, p, PRISM + "publicationDate", date("published_date"))
    t.add(a, p, DCT + "dateSubmitted", date("received_date"))
    t.add(a, p, DCT + "dateAccepted", date("accepted_date"))
    t.add(a, p, DCT + "isPartOf", entity("journal", slug("journal")))
    t.add(a, p, PTMKG + "journalNameRaw", text("journal"))
    t.add(a, p, PTMKG + "licenseRaw", text("license_type"))
    t.add(a, p, DCT + "license", licence_iri(article_licence(pl.col("license_type"))))
    kw = a.select(p.alias("p"), pl.col("keywords")).explode("keywords")
    t.add(kw, pl.col("p"), SCHEMA + "keywords", text("keywords"))


def _journals(t: Triples, journals: pl.DataFrame) -> None:
    j = entity("journal", slug("name"))
    publisher = entity("agent/name", slug("publisher_name"))
    t.types(journals, j, PTMKG + "Journal", FABIO + "Journal")
    t.add(journals, j, SCHEMA + "name", text("name"))
    t.add(journals, j, FABIO + "hasNLMJournalTitleAbbreviation", text("nlm_ta"))
    t.add(journals, j, SCHEMA + "issn", text("issn_epub"))
    t.add(journals, j, SCHEMA + "publisher", publisher)
    t.types(journals, publisher, PTMKG + "Agent", PTMKG + "Organization")
    t.add(journals, publisher, SCHEMA + "name", text("publisher_name"))


def _authors(t: Triples, authors: pl.DataFrame, articles: pl.DataFrame) -> None:
    full = pl.concat_str([pl.col("given_names"), pl.col("name")], separator=" ", ignore_nulls=True)
    a = authors.join(articles.select(pl.col("id").alias("article_id"), paper_iri().alias("paper")),
                     on="article_id", how="inner").with_columns(full.alias("full"))
    agent = pl.coalesce(entity("agent/orcid", orcid("orcid")), entity("agent/name", slug("full")))
    t.add(a, pl.col("paper"), SCHEMA + "author", agent)
    t.types(a, agent, PTMKG + "Agent", PTMKG + "Person")
    t.add(a, agent, SCHEMA + "name", text("full"))
    t.add(a, agent, SCHEMA + "givenName", text("given_names"))
    t.add(a, agent, SCHEMA + "familyName", text("name"))
    t.add(a, agent, SCHEMA + "identifier", text(pl.lit("https://orcid.org/") + orcid("orcid")))


def _subjects(t: Triples, mesh: pl.DataFrame, articles: pl.DataFrame) -> None:
    m = mesh.join(articles.select(pl.col("id").alias("article_id"), paper_iri().alias("paper")),
                  on="article_id", how="inner")
    d, top = entity("subject/mesh", "meshid"), entity("subject/mesh", "toplevelmeshid")
    t.types(m, d, PTMKG + "Subject", SKOS + "Concept")
    t.add(m, d, SKOS + "prefLabel", text("mesh_label"))
    t.add(m, d, SKOS + "notation", text("meshid"))
    t.add(m, d, SKOS + "inScheme", MESH_SCHEME)
    t.add(m, d, SKOS + "broader", top)
    t.add(m, pl.col("paper"), DCT + "subject", d)
    t.add(m, pl.col("paper"), DCT + "subject", top)
    # One label per top-level category; a current label wins over an "[OBSOLETE]" one.
    tops = (m.sort(pl.col("toplevelmeshlabel").str.starts_with("[OBSOLETE]"), "toplevelmeshlabel")
            .unique("toplevelmeshid", keep="first", maintain_order=True))
    t.types(tops, top, PTMKG + "Subject", SKOS + "Concept")
    t.add(tops, top, SKOS + "prefLabel", text("toplevelmeshlabel"))
    t.add(tops, top, SKOS + "notation", text("toplevelmeshid"))
    t.add(tops, top, SKOS + "topConceptOf", MESH_SCHEME)
    t.add(tops.head(1), MESH_SCHEME, SKOS + "prefLabel", text(pl.lit("Medical Subject Headings (MeSH)")))
    t.types(tops.head(1), MESH_SCHEME, SKOS + "ConceptScheme")


def _repositories(t: Triples, repos: pl.DataFrame, articles: pl.DataFrame) -> None:
    r = repos.join(articles.select(pl.col("id").alias("article_id"), paper_iri().alias("paper")),
                   on="article_id", how="left")
    s = entity("repo/github", repo_key())
    url = pl.lit("https://") + pl.col("domain") + pl.lit("/") + pl.col("repository")
    t.types(r, s, PTMKG + "Repository", SCHEMA + "SoftwareSourceCode")
    t.add(r, pl.col("paper"), PTMKG + "codeRepository", s)
    t.add(r, pl.col("paper"), PTMKG + "codeRepositoryRaw", text(url))
    t.add(r, s, SCHEMA + "codeRepository", raw_iri(url))
    t.add(r, s, PTMKG + "commit", text("commit"))
    t.add(r, s, PTMKG + "notebookCount", integer("notebooks_count"))
    t.add(r, s, PTMKG + "setupFileCount", integer("setups_count"))
    t.add(r, s, PTMKG + "requirementsFileCount", integer("requirements_count"))
    t.add(r, s, PTMKG + "stars", integer("stars"))
    t.add(r, s, PTMKG + "forks", integer("forks"))
    t.add(r, s, SCHEMA + "programmingLanguage", text("language"))
    t.add(r, s, DCT + "created", date_time("created_at"))
    t.add(r, s, DCT + "modified", date_time("updated_at"))
    t.add(r, s, DCT + "license", licence_iri(licence_id("license_key")))
    t.add(r, s, PTMKG + "licenseRaw", text("license_name"))


def _notebooks(t: Triples, notebooks: pl.DataFrame, repos: pl.DataFrame) -> None:
    n = notebooks.join(repos.select(pl.col("id").alias("repository_id"), repo_key().alias("repo")),
                       on="repository_id", how="inner")
    nb = notebook_iri(pl.col("repo"), pl.col("path"))
    t.add(n, entity("repo/github", "repo"), PTMKG + "hasNotebook", nb)
    t.types(n, nb, PTMKG + "Notebook", SCHEMA + "SoftwareSourceCode")
    t.add(n, nb, PTMKG + "filePath", text("path"))
    t.add(n, nb, PTMKG + "ipythonFeatureCount", integer("feature_uses"))
    t.add(n, nb, PTMKG + "ipythonCellCount", integer("feature_cells"))
    kinds = n.select(nb.alias("nb"), "feature_kinds").explode("feature_kinds")
    t.add(kinds, pl.col("nb"), PTMKG + "ipythonFeature", text("feature_kinds"))


def to_triples(data: SourceData) -> Triples:
    """All FAIR Jupyter facts as triples."""
    f, t = data.frames, Triples()
    _papers(t, f["articles"], f["journals"])
    _journals(t, f["journals"])
    _authors(t, f["authors"], f["articles"])
    _subjects(t, f["mesh"], f["articles"])
    _repositories(t, f["repositories"], f["articles"])
    _notebooks(t, f["notebooks"], f["repositories"])
    return t
