"""IRI namespaces and prefixes used across ptmkg (see VOCAB.md)."""

PTMKG = "https://w3id.org/ptmkg/"
ID = PTMKG + "id/"
GRAPH = PTMKG + "graph/"
CATALOG_GRAPH = GRAPH + "catalog"

PROV = "http://www.w3.org/ns/prov#"
SCHEMA = "https://schema.org/"
DCT = "http://purl.org/dc/terms/"
FABIO = "http://purl.org/spar/fabio/"
PRISM = "http://prismstandard.org/namespaces/basic/2.0/"
FAIR4ML = "http://w3id.org/fair4ml#"
QUDT = "http://qudt.org/schema/qudt/"
UNIT = "http://qudt.org/vocab/unit/"
VOID = "http://rdfs.org/ns/void#"
DCAT = "http://www.w3.org/ns/dcat#"
PAV = "http://purl.org/pav/"
XSD = "http://www.w3.org/2001/XMLSchema#"
RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
OWL = "http://www.w3.org/2002/07/owl#"
SH = "http://www.w3.org/ns/shacl#"
SKOS = "http://www.w3.org/2004/02/skos/core#"
SPDX_LICENSE = "http://spdx.org/licenses/"
SPDX = "http://spdx.org/rdf/terms#"

PREFIXES: dict[str, str] = {
    "ptmkg": PTMKG,
    "id": ID,
    "prov": PROV,
    "schema": SCHEMA,
    "dct": DCT,
    "fabio": FABIO,
    "prism": PRISM,
    "fair4ml": FAIR4ML,
    "qudt": QUDT,
    "unit": UNIT,
    "void": VOID,
    "dcat": DCAT,
    "pav": PAV,
    "xsd": XSD,
    "rdf": RDF,
    "rdfs": RDFS,
    "owl": OWL,
    "sh": SH,
    "skos": SKOS,
    "spdx": SPDX,
    "spdxlicense": SPDX_LICENSE,
}

RDF_TYPE = RDF + "type"
