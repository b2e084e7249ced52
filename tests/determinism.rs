//! Results depend only on (model, parameters, master seed, replicate).
