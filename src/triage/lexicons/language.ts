/**
 * Stopwords (plus a few words every shop message uses) for the small language
 * detector. Written unaccented: tokens are compared after accents are stripped.
 * A word listed for several languages counts 1/n for each.
 */
export const languageWords: Readonly<Record<string, string>> = {
  en:
    'the and is are was were my you your i im it its to of for with this that have has had not be been me please what where when how ' +
    'can will would should could from on at an do does did dont didnt hi hello thanks thank order delivery refund package parcel item ' +
    'received arrived cancel help account payment still yet just any why there they we our us it they were which',
  es:
    'el la los las y es mi mis que de del por para con un una no pero muy esta estoy este ha he lo se me como cuando donde porque ' +
    'todavia hola gracias pedido paquete reembolso llegado ayuda quiero tengo nada ya su sus al hace dias',
  de:
    'der die das und ist ich nicht mein meine mit fur auf ein eine zu von den dem es sie wir bitte noch aber hallo danke bestellung ' +
    'wurde habe kein keine ist sind war auch nur schon paket',
  fr:
    'le la les et est je mon ma mes pas pour avec un une de des du que qui ne ce il vous nous bonjour merci commande mais tres ete ai ' +
    'suis colis toujours rien sur au aux',
  it:
    'il lo la gli le e sono mio mia non per con un una di del della che ma ho ancora ciao grazie ordine molto questo questa ' +
    'pacco nel alla perche',
  pt: 'o a os as e meu minha nao para com um uma de do da que mas muito ainda obrigado obrigada pedido ola foi esta voce ao eu nem encomenda',
  nl: 'de het een en is ik mijn niet met voor op van dat die nog maar heb hallo bedankt bestelling geen wel zijn er ook te pakket al',
};
