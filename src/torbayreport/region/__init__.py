"""The regional path: many councils' extracts computed on Dask, compared per KPI and month.

Why a package after ``disclose``: a regional improvement alliance pools its councils' data every
month and each Improvement Board asks "how do we compare with our statistical neighbours and the
region?". The per-council work (validate, load, compute the KPI catalogue) is exactly the single
council path (``io.load`` + ``metrics.compute``), run as one Dask task per council on a local
cluster or any existing ``dask.distributed`` scheduler; only the small tidy metrics table and the
findings come back to the client. The comparison (regional median and quartiles, rank and quartile
by polarity, statistical neighbours, England) is vectorised pandas over all councils and months.

Modules: ``sources`` (data-root discovery) · ``task`` (the per-council task) · ``stats`` (median,
quartiles, rank, quartile) · ``neighbours`` (the neighbour-sets CSV) · ``table`` (the regional
table) · ``run`` (the Dask orchestration) · ``session`` (prepare, execute, write: what the command
does) · ``write`` (Parquet + CSV) · ``compare`` (a council's "how we compare" rows,
audience-safe) · ``cli`` (``torbayreport region``).

Nothing is imported here, so ``torbayreport --help`` stays instant: import the modules you use
(``from torbayreport.region.session import prepare, execute``).
"""
