"""The Kafka speed path: Debezium CDC and real-time CDRs landed in micro-batches, exactly once.

`python -m extract.kafka` consumes, decodes and lands; `python -m tools.kafka_publish`
publishes simulated change events and CDRs. The warehouse, not Kafka, owns the consumed
offsets: each batch's rows and offsets commit in one transaction.
"""
