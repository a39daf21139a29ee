"""The file to give ``spark-submit`` (it runs as a script, so it imports polarwatch absolutely).

    spark-submit --master spark://host:7077 "$(python -m polarwatch.spark.submit --path)" INPUT OUTPUT [--partitions N]

``python -m polarwatch.spark.submit --path`` prints this file's path. polarwatch[spark] must be installed
on every node (docs/scaling.md).
"""

import sys

if __name__ == "__main__":
    if sys.argv[1:] == ["--path"]:
        print(__file__)
        sys.exit(0)
    from polarwatch.spark.job import main

    sys.exit(main())
