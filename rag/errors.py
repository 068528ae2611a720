"""The errors the engine raises. Front ends (CLI, UI) turn them into messages; messages say what to do."""


class RagError(Exception):
    """Base class: every error a user can cause or fix."""


class ConfigError(RagError):
    """A setting has a value the engine cannot use."""


class NoDocumentsError(RagError):
    """The documents folder is missing or holds nothing that can be indexed."""


class BadQuestionError(RagError):
    """The question is empty or too long."""


class BadUploadError(RagError):
    """An uploaded file cannot be added (type, size or name)."""


class UnknownDocumentError(RagError):
    """A document named by the caller is not in the collection."""


class IndexBusyError(RagError):
    """Another ingest holds the index's write lock for longer than the caller would wait."""
