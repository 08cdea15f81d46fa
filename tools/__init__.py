"""Tools around the product: the source simulator, the throwaway Kafka broker and
PostgreSQL clusters, the publisher and shop-database writer that play the sources, and
the summary `make run` prints. Production code lives in extract/."""
