"""PDF documents (evaluation reports, minutes, certificates): built by a job with WeasyPrint, kept in the database."""
