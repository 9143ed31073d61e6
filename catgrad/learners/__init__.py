"""The other categorical accounts of learning, as code that runs [MATH §9].

- ``learn_category``: Fong, Spivak and Tuyéras's category Learn [BaF §II];
- ``backprop``: gradient descent as a functor ``L_{ε,e}: Para → Learn`` [BaF §III];
- ``symmetric``: lenses are learners, learners are symmetric lenses (spans of lenses) [LL];
- ``machines``: ``Learn ≅ Para(SLens)`` and learners as Moore machines [LLang];
- ``games``: open games and the functor from learners [OLOG];
- ``schema``: schemas, their parametrised models and the learner of a model (CycleGAN) [CDL].
"""
from .learn_category import Learner, call
from .backprop import Error, quadratic, cosh_error, total_error, L
from .params import para_parts
from .machines import Machine, as_machine, to_para_lens, from_para_lens
from .symmetric import lens_to_learner, constant_complement, iso_lens, Span, learner_to_span, span_to_learner
from .games import OpenGame, learner_to_game
from .schema import Schema, SchemaModel, SchemaLearner, cyclegan_schema, moment_distance, objective, schema_learner

__all__ = ["Learner", "L", "Error", "quadratic", "cosh_error", "total_error",
           "lens_to_learner", "constant_complement", "iso_lens", "Span", "learner_to_span", "span_to_learner",
           "Machine", "as_machine", "to_para_lens", "from_para_lens",
           "OpenGame", "learner_to_game",
           "Schema", "SchemaModel", "SchemaLearner", "cyclegan_schema", "moment_distance", "objective",
           "schema_learner"]
