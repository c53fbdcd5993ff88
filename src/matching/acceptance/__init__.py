"""The learned acceptance chance: how likely a landlord accepts a proposed pair.

A calibrated scikit-learn model, trained on past proposals, shown beside the policy score and
never used to order or exclude (see ``docs/acceptance-model.md`` and the model card page).
"""
