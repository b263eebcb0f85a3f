"""SVG icons inlined in pages, so they take the text colour and cost no request.

The core's icons are a vendored subset of lucide-static (``static/icons/``, ISC
licence). A service type names its own icon file through ``ServiceType.icon``;
older plugins may still give a short text (an emoji), shown in a badge.
"""
import os
import xml.etree.ElementTree as ElementTree
from functools import lru_cache

from markupsafe import Markup, escape

SVG_NS = "http://www.w3.org/2000/svg"
ICON_DIR = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "static", "icons")
#: Elements an icon never needs; dropped so a plugin's file cannot run code in our pages.
_FORBIDDEN = {"script", "foreignObject", "style", "iframe", "image", "use", "a"}


class IconError(ValueError):
    """Raised when an icon file is missing or is not a plain SVG drawing."""


@lru_cache(maxsize=256)
def load_svg(path):
    """Read an SVG file once and return it cleaned: no script, handler, style or fixed size."""
    try:
        root = ElementTree.parse(path).getroot()
    except (OSError, ElementTree.ParseError) as error:
        raise IconError(f"{path}: {error}") from error
    if root.tag != f"{{{SVG_NS}}}svg":
        raise IconError(f"{path}: the root element is not <svg>")
    _clean(root)
    for attribute in ("width", "height", "class"):
        root.attrib.pop(attribute, None)
    root.set("aria-hidden", "true")
    root.set("focusable", "false")
    # Registered at each use, not once at import: another library registering its own default namespace
    # in between would otherwise turn every icon into "ns0:svg".
    ElementTree.register_namespace("", SVG_NS)
    return ElementTree.tostring(root, encoding="unicode", short_empty_elements=True)


def _clean(element):
    for child in list(element):
        if child.tag.split("}")[-1] in _FORBIDDEN:
            element.remove(child)
        else:
            _clean(child)
    for name in list(element.attrib):
        value = element.attrib[name]
        if name.lower().startswith("on") or name == "style" or "javascript:" in value.lower():
            del element.attrib[name]


def _with_class(svg, css_class):
    return Markup(svg.replace("<svg ", f'<svg class="{escape(css_class)}" ', 1))


def icon(name, css_class=""):
    """Inline one of the core's icons by name (``icon("bell")``); decorative, hidden from screen readers."""
    path = os.path.join(ICON_DIR, f"{os.path.basename(name)}.svg")
    return _with_class(load_svg(path), f"icon {css_class}".strip())


def service_icon(kind, css_class=""):
    """Inline a service type's icon: its SVG file, else its text in a badge, else its initial."""
    value = getattr(kind, "icon", "") or ""
    if value.endswith(".svg"):
        try:
            return _with_class(load_svg(value), f"icon {css_class}".strip())
        except IconError:
            value = ""
    text = value or str(getattr(kind, "label", "?"))[:1]
    return Markup(f'<span class="icon icon-text {escape(css_class)}" aria-hidden="true">{escape(text)}</span>')
