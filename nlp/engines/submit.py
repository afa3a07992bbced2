"""The ``nlp`` command as a ``spark-submit`` entry file, for clusters (``docs/spark.md``).

    spark-submit --master yarn --archives env.tar.gz#env ... \\
        env/lib/python3.11/site-packages/nlp/engines/submit.py score hdfs:///reviews.parquet -o hdfs:///scored.parquet --engine spark

Under ``spark-submit`` the session comes from its options (``--master``, ``--conf``), not from
``--spark-master``.
"""

from __future__ import annotations

if __name__ == "__main__":
    from nlp.cli.main import main

    main()
