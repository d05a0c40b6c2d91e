"""Write the README's example table from a dataset that scikit-learn ships (no download).

Run: ``python examples/make_example_csv.py`` (writes ``examples/breast_cancer.csv``).
"""

from pathlib import Path

from sklearn.datasets import load_breast_cancer

frame = load_breast_cancer(as_frame=True).frame
frame["target"] = frame["target"].map({0: "malignant", 1: "benign"})
frame.to_csv(Path(__file__).with_name("breast_cancer.csv"), index=False)
