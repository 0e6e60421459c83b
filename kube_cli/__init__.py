"""kube: a command-line registry of Kelompok Usaha Bersama (KUBE) for a Dinas Sosial."""

__version__ = "0.1.0"
