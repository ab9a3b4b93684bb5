"""中文 texts, keyed by the English text they translate."""

ZH: dict[str, str] = {}
