"""Packaging of the sales_process_automation Odoo add-on.

``pip install .`` installs the folder ``sales_process_automation/`` as the
Python package ``odoo.addons.sales_process_automation``, with every data file
of the add-on (XML, CSV, images, readme fragments, JavaScript, ...).
"""

import ast
from pathlib import Path

from setuptools import setup

HERE = Path(__file__).resolve().parent
ADDON = "sales_process_automation"
ADDON_DIR = HERE / ADDON


def _manifest():
    return ast.literal_eval((ADDON_DIR / "__manifest__.py").read_text(encoding="utf-8"))


def _packages():
    """The add-on and every sub-folder holding Python code, under odoo.addons."""
    packages = {f"odoo.addons.{ADDON}": ADDON}
    for init in sorted(ADDON_DIR.rglob("__init__.py")):
        folder = init.parent
        if "__pycache__" in folder.parts:
            continue
        rel = folder.relative_to(HERE)
        packages["odoo.addons." + ".".join(rel.parts)] = rel.as_posix()
    return packages


def _package_data():
    """Every non-Python file of the add-on, relative to the add-on folder."""
    files = []
    for path in sorted(ADDON_DIR.rglob("*")):
        if not path.is_file() or path.suffix in (".py", ".pyc", ".pyo"):
            continue
        if "__pycache__" in path.parts:
            continue
        files.append(path.relative_to(ADDON_DIR).as_posix())
    return files


def _readme():
    readme = HERE / "README.rst"
    return readme.read_text(encoding="utf-8") if readme.is_file() else ""


manifest = _manifest()
package_dir = _packages()

setup(
    name="odoo-addon-sales_process_automation",
    version=manifest["version"],
    description=manifest.get("summary", manifest["name"]),
    long_description=_readme(),
    long_description_content_type="text/x-rst",
    author=manifest.get("author"),
    url=manifest.get("website"),
    license="AGPL-3",
    classifiers=[
        "Programming Language :: Python",
        "Framework :: Odoo",
        "Framework :: Odoo :: 19.0",
    ],
    python_requires=">=3.10",
    install_requires=[
        "odoo==19.0.*",
        "odoo-addon-base_tier_validation==19.0.*",
        "odoo-addon-helpdesk_mgmt==19.0.*",
        "odoo-addon-helpdesk_mgmt_crm==19.0.*",
        "odoo-addon-helpdesk_mgmt_sale==19.0.*",
        "odoo-addon-sale_tier_validation==19.0.*",
        "numpy",
        "openupgradelib",
    ],
    package_dir=package_dir,
    packages=list(package_dir),
    package_data={f"odoo.addons.{ADDON}": _package_data()},
    include_package_data=True,
    zip_safe=False,
)
