"""Labels of the BCE code table in the user's language."""


def label_for_lang(lang, labels):
    """The label in the user's language, else any other one, else ``False``.

    ``labels`` maps a language prefix (``fr``, ``nl``, ``de``) to a label; the
    first entry is the fallback, French being the language most labels exist in.
    """
    prefix = (lang or "")[:2]
    if labels.get(prefix):
        return labels[prefix]
    return next((label for label in labels.values() if label), False)
