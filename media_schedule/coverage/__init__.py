"""Coverage against 电视有画面、广播有声音、报纸有文字、网络有信息, the assessment standard item by
item, and the inspection archive (资料归档)."""
