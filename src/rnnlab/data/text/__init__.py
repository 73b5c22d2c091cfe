"""Text in: reading UTF-8 files, corpora, tokenizers and stream batching for language models."""

from rnnlab.data.reading import read_lines, read_text
from rnnlab.data.text.conllu import read_conllu_sentences
from rnnlab.data.text.corpus import TextCorpus, load_corpus, read_corpus_lines
from rnnlab.data.text.factory import build_tokenizer, load_tokenizer
from rnnlab.data.text.streams import StreamBatches, batchify
from rnnlab.data.text.tokenizers import EOS, UNK, CharTokenizer, Tokenizer, WordTokenizer

__all__ = [
    "EOS",
    "UNK",
    "CharTokenizer",
    "StreamBatches",
    "TextCorpus",
    "Tokenizer",
    "WordTokenizer",
    "batchify",
    "build_tokenizer",
    "load_corpus",
    "load_tokenizer",
    "read_conllu_sentences",
    "read_corpus_lines",
    "read_lines",
    "read_text",
]
