"""Language: tokens and stems, reading a typed query and fixing its spelling, and the word lists
that widen a query (synonyms, everyday words, entry terms, the thesaurus)."""
