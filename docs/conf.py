"""Sphinx configuration for the sktlft documentation."""

import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("MPLBACKEND", "Agg")

from sphinx.util.docutils import SphinxDirective

import sktlft

project = "sktlft"
author = "the sktlft developers"
copyright = "2026, the sktlft developers"
release = sktlft.__version__
version = ".".join(release.split(".")[:2])

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.intersphinx",
    "sphinx.ext.viewcode",
    "numpydoc",
    "sphinx_gallery.gen_gallery",
]

autosummary_generate = True
autodoc_default_options = {"members": True, "inherited-members": False}
numpydoc_show_class_members = False
numpydoc_validation_checks: set[str] = set()
templates_path = ["_templates"]
exclude_patterns = ["_build", "auto_examples/*.ipynb", "auto_examples/*.py",
                    "auto_examples/*.zip", "auto_examples/*.json", "auto_examples/*.md5"]
html_theme = "pydata_sphinx_theme"
html_title = f"sktlft {release}"
html_theme_options = {"navigation_with_keys": False}

intersphinx_mapping: dict = {}  # offline builds: no inventories are fetched

sphinx_gallery_conf = {
    "examples_dirs": "../examples",
    "gallery_dirs": "auto_examples",
    "filename_pattern": r"/plot_",
    "download_all_examples": False,
    "remove_config_comments": True,
    "abort_on_example_error": True,
    "matplotlib_animations": False,
    "reset_modules": ("matplotlib",),
}

# skorch's inherited docstrings are not numpydoc-clean; document our own API only.
suppress_warnings = ["autosummary.import_cycle"]
nitpicky = False


def _skip_sklearn_machinery(app, what, name, obj, skip, options):
    # scikit-learn's generated set_*_request methods carry docstrings that point into
    # scikit-learn's own documentation; they are documented there.
    if name.startswith("set_") and name.endswith("_request"):
        return True
    return skip


class InputsTable(SphinxDirective):
    """``.. sktlft-inputs::``: the table of :data:`sktlft.inputs.INPUTS` (name, kind and
    each entry's ``doc``), made from the registry at build time, so that it cannot drift."""

    def run(self):
        from sktlft.inputs import INPUTS

        lines = [".. list-table::", "   :header-rows: 1", "   :widths: auto", "",
                 "   * - name", "     - kind", "     - what the model sees"]
        for name, spec in INPUTS.items():
            lines += [f"   * - ``{name}``", f"     - {spec.kind}", f"     - {spec.doc}"]
        return self.parse_text_to_nodes("\n".join(lines))


def setup(app):
    app.connect("autodoc-skip-member", _skip_sklearn_machinery)
    app.add_directive("sktlft-inputs", InputsTable)
