"""Drafts: reading a draft proposal (text, Word, OpenDocument, PDF), comparing it with the winners
(``compare_draft``), what it lacks, the award criteria checklist and the Markdown report."""
