"""The design system's server side: icons, the style guide page, the favicon and page helpers."""
