"""Apache Spark as the warehouse engine (WAREHOUSE_ENGINE=spark): the local standalone cluster
(`cluster.py`), its settings (`settings.py`), Java (`java.py`); see README.md beside this file."""
